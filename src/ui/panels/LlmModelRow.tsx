import { useRef, type ChangeEvent, type JSX } from 'react';
import type { Params } from '../../i18n';
import type { FolderProblem } from '../../report/llm/pick';
import { FolderInput } from '../components/FolderInput';
import { useActions, useApp } from '../context';
import { filesFromInput } from '../files';
import { useLlmModel } from '../hooks/useLlmModel';
import { useNumber, useT } from '../hooks/useT';

type T = ReturnType<typeof useT>;

/** Why a picked folder was refused, in the reader's language. */
export function folderProblemText(t: T, num: (v: number, d?: number) => string, p: FolderProblem): string {
  const mb = (bytes: number): string => num(bytes / 1e6, 0);
  let params: Params = {};
  if ('file' in p) params = { file: p.file };
  else if (p.code === 'unknown-dtype') params = { dtype: p.dtype };
  else if (p.code === 'too-large') params = { size: mb(p.bytes), limit: mb(p.limit) };
  return t('report.llm.refused', { reason: t(`report.llm.folder.${p.code}`, params) });
}

/**
 * Which language model drafts: its name, demo model or the reader's own, its size and whether decoding is
 * constrained; a folder input to use a model from this device (the folder is read here, never uploaded),
 * the way back to the demo model, and the model card.
 */
export function LlmModelRow(): JSX.Element {
  const t = useT();
  const num = useNumber();
  const { llm } = useActions();
  const { store } = useApp();
  const view = useLlmModel();
  const input = useRef<HTMLInputElement | null>(null);
  const { choice, loaded } = view;
  const name = loaded?.info.name ?? choice.folder;
  const bytes = choice.kind === 'picked' ? choice.bytes : (loaded?.info.bytes ?? null);
  const onInput = (e: ChangeEvent<HTMLInputElement>): void => {
    const files = filesFromInput(e.currentTarget.files);
    e.currentTarget.value = '';
    void llm.pickFolder(files);
  };
  const parts = [
    t(choice.kind === 'demo' ? 'report.llm.source.demo' : 'report.llm.source.picked'),
    ...(bytes !== null ? [t('report.llm.megabytes', { size: num(bytes / 1e6) })] : []),
    ...(view.constrained ? [t('report.llm.constrained')] : []),
  ];
  return (
    <div className="llm-model">
      <p className="llm-model-name">
        {t('report.llm.model', { name })} · {parts.join(' · ')}
      </p>
      <div className="llm-draft-actions">
        <button type="button" className="button small" onClick={() => input.current?.click()}>
          {t('report.llm.pickFolder')}
        </button>
        <FolderInput
          inputRef={input}
          onChange={onInput}
          testId="llm-folder-input"
          label={t('report.llm.folderInput')}
        />
        {choice.kind === 'picked' ? (
          <button type="button" className="button small" onClick={llm.useDemo}>
            {t('report.llm.useDemo')}
          </button>
        ) : null}
        <button type="button" className="button link" onClick={() => store.setState({ modelCardOpen: true })}>
          {t('report.llm.showCard')}
        </button>
      </div>
      {view.checking !== null ? (
        <p className="note" aria-live="polite">
          {t('report.llm.checking', { name: view.checking })}
        </p>
      ) : null}
      {view.problem ? (
        <p className="error" role="alert">
          {folderProblemText(t, num, view.problem)}
        </p>
      ) : null}
    </div>
  );
}
