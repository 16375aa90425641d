import { useMemo, useRef, useState, type ChangeEvent, type JSX } from 'react';
import { DIFFICULTIES, MIXES, type Difficulty } from '../../practice/difficulty';
import { sessions, suggestNext, weaknesses } from '../../practice/progress';
import type { Modality } from '../../practice/types';
import { FolderInput } from '../components/FolderInput';
import { useActions, useAppState } from '../context';
import { demoName } from '../demo';
import { filesFromInput } from '../files';
import { useModalDialog } from '../hooks/useModalDialog';
import { useNumber, useT } from '../hooks/useT';
import type { PracticeStart } from './actions';
import { ProgressView } from './ProgressView';
import { ReaderStudy } from './ReaderStudy';
import { mixText, typeName, type Translate } from './words';

type Choice = Difficulty | 'suggested';

function focusText(t: Translate, focus: ReturnType<typeof suggestNext>['focus']): string {
  if (!focus) return '';
  switch (focus.kind) {
    case 'type':
      return typeName(t, focus.value);
    case 'size':
      return t(`practice.size.${focus.value}`);
    case 'placement':
      return t(`practice.place.${focus.value}`);
  }
}

/**
 * The practice case list (header button **Practice**): who reads and how (blind or with AI), the demo
 * cases, a generated case at a difficulty (or the suggested set), the user's own labelled folder, a
 * reader-study protocol (ReaderStudy); and the progress kept on this device with the reader-study export.
 */
export function PracticeDialog(): JSX.Element {
  const t = useT();
  const n = useNumber();
  const actions = useActions();
  const demos = useAppState((s) => s.demoCases);
  const history = useAppState((s) => s.practiceHistory);
  const ref = useModalDialog();
  const folder = useRef<HTMLInputElement>(null);
  const lastReader = history[history.length - 1]?.read.reader ?? 'R1';
  const [reader, setReader] = useState(lastReader);
  const [modality, setModality] = useState<Modality>('unaided');
  const [difficulty, setDifficulty] = useState<Choice>('medium');
  const suggestion = useMemo(() => suggestNext(history), [history]);
  const points = useMemo(() => sessions(history), [history]);
  const weak = useMemo(() => weaknesses(history), [history]);
  const start: PracticeStart = { modality, reader };
  const close = (): void => actions.practice.close();
  const mix = difficulty === 'suggested' ? suggestion.mix : MIXES[difficulty];

  const onFolder = (e: ChangeEvent<HTMLInputElement>): void => {
    const files = filesFromInput(e.currentTarget.files);
    e.currentTarget.value = '';
    void actions.practice.startOwn(files, start);
  };

  return (
    <dialog
      ref={ref}
      className="dialog wide practice-dialog"
      aria-labelledby="practice-title"
      onClose={close}
      onCancel={close}
    >
      <h2 id="practice-title">{t('practice.title')}</h2>
      <p className="note">{t('practice.intro')}</p>
      <div className="practice-who">
        <label className="field">
          <span>{t('practice.reader')}</span>
          <input value={reader} maxLength={32} onChange={(e) => setReader(e.currentTarget.value)} />
        </label>
        <fieldset className="field">
          <legend>{t('practice.modality')}</legend>
          {(['unaided', 'aided'] as const).map((m) => (
            <label key={m} className="radio">
              <input
                type="radio"
                name="practice-modality"
                checked={modality === m}
                onChange={() => setModality(m)}
              />
              {t(`practice.modality.${m}`)}
            </label>
          ))}
        </fieldset>
      </div>

      <section aria-labelledby="practice-demo">
        <h3 id="practice-demo" className="panel-subtitle">
          {t('practice.demo')}
        </h3>
        <ul className="practice-cases">
          {(demos ?? []).map((c) => {
            const name = demoName(t, c);
            return (
              <li key={c.id}>
                <button
                  type="button"
                  className="button"
                  onClick={() => void actions.practice.startDemo(c.id, start)}
                >
                  {t('practice.demo.start', { label: name })}
                </button>
              </li>
            );
          })}
        </ul>
      </section>

      <section aria-labelledby="practice-synthetic">
        <h3 id="practice-synthetic" className="panel-subtitle">
          {t('practice.synthetic')}
        </h3>
        <div className="practice-row">
          <label className="field">
            <span>{t('practice.difficulty')}</span>
            <select value={difficulty} onChange={(e) => setDifficulty(e.currentTarget.value as Choice)}>
              {[...DIFFICULTIES, 'suggested' as const].map((d) => (
                <option key={d} value={d}>
                  {t(`practice.difficulty.${d}`)}
                </option>
              ))}
            </select>
          </label>
          <button
            type="button"
            className="button primary"
            onClick={() => void actions.practice.startSynthetic(mix, difficulty, start)}
          >
            {t('practice.generate')}
          </button>
        </div>
        <p className="note">
          {mixText(t, mix)}
          {difficulty === 'suggested'
            ? ` · ${
                suggestion.focus
                  ? t('practice.suggestion.focus', {
                      focus: focusText(t, suggestion.focus),
                      percent: Math.round(suggestion.sensitivity * 100),
                    })
                  : t('practice.suggestion.none')
              }`
            : ''}
        </p>
        <p className="note">{t('practice.synthetic.note')}</p>
      </section>

      <section aria-labelledby="practice-own">
        <h3 id="practice-own" className="panel-subtitle">
          {t('practice.own')}
        </h3>
        <button type="button" className="button" onClick={() => folder.current?.click()}>
          {t('practice.own.open')}
        </button>
        <FolderInput
          inputRef={folder}
          onChange={onFolder}
          testId="practice-folder-input"
          label={t('practice.own.input')}
        />
        <p className="note">{t('practice.own.note')}</p>
      </section>

      <ReaderStudy reader={reader} />

      <section aria-labelledby="practice-progress">
        <h3 id="practice-progress" className="panel-subtitle">
          {t('practice.progress')}
        </h3>
        {history.length === 0 ? (
          <p className="empty">{t('practice.progress.empty')}</p>
        ) : (
          <ProgressView points={points} weak={weak} reads={history.length} t={t} n={n} />
        )}
        <div className="practice-row" role="group" aria-label={t('practice.export')}>
          <button
            type="button"
            className="button"
            disabled={history.length === 0}
            onClick={() => actions.practice.exportStudy('json')}
          >
            {t('practice.export.json')}
          </button>
          <button
            type="button"
            className="button"
            disabled={history.length === 0}
            onClick={() => actions.practice.exportStudy('marks-csv')}
          >
            {t('practice.export.marks')}
          </button>
          <button
            type="button"
            className="button"
            disabled={history.length === 0}
            onClick={() => actions.practice.exportStudy('truth-csv')}
          >
            {t('practice.export.truth')}
          </button>
        </div>
        <p className="note">{t('practice.export.note')}</p>
      </section>

      <div className="dialog-actions">
        <button type="button" className="button" onClick={close}>
          {t('practice.close')}
        </button>
      </div>
    </dialog>
  );
}
