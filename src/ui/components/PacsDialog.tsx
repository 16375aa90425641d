import { useState, type FormEvent, type JSX } from 'react';
import type { StudyHit } from '../../dicom/dicomweb';
import { useActions, useApp, useAppState } from '../context';
import { fetchLoadError } from '../../dicom/read';
import { failureOf, type Failure } from '../../lib/errors';
import { useFailureText, useT } from '../hooks/useT';
import { useModalDialog } from '../hooks/useModalDialog';

export function PacsDialog(): JSX.Element {
  const t = useT();
  const said = useFailureText();
  const actions = useActions();
  const { store } = useApp();
  const savedUrl = useAppState((s) => s.pacsUrl);
  const [url, setUrl] = useState(savedUrl);
  const [patientName, setPatientName] = useState('');
  const [patientId, setPatientId] = useState('');
  const [studyDate, setStudyDate] = useState('');
  const [modality, setModality] = useState('');
  const [results, setResults] = useState<StudyHit[] | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Failure | null>(null);
  const ref = useModalDialog();
  const close = (): void => store.setState({ pacsOpen: false });

  const search = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      setResults(await actions.searchPacs(url, { patientName, patientId, studyDate, modality }));
    } catch (err) {
      setResults(null);
      setError(failureOf(err, 'fetch-failed'));
    } finally {
      setBusy(false);
    }
  };

  const open = (hit: StudyHit): void => {
    close();
    actions.openPacsStudy(url, hit).catch((err: unknown) => {
      store.setState((s) => ({
        loadErrors: [...s.loadErrors, fetchLoadError('PACS', err)],
        retrieving: null,
        loading: null,
      }));
    });
  };

  return (
    <dialog ref={ref} className="dialog wide" aria-labelledby="pacs-title" onClose={close} onCancel={close}>
      <h2 id="pacs-title">{t('pacs.title')}</h2>
      <form className="pacs-form" onSubmit={(e) => void search(e)}>
        <label className="field wide">
          <span>{t('pacs.server')}</span>
          <input
            type="url"
            required
            value={url}
            placeholder="http://localhost:8042/dicom-web"
            onChange={(e) => setUrl(e.currentTarget.value)}
          />
        </label>
        <label className="field">
          <span>{t('pacs.patientName')}</span>
          <input value={patientName} onChange={(e) => setPatientName(e.currentTarget.value)} />
        </label>
        <label className="field">
          <span>{t('pacs.patientId')}</span>
          <input value={patientId} onChange={(e) => setPatientId(e.currentTarget.value)} />
        </label>
        <label className="field">
          <span>{t('pacs.date')}</span>
          <input
            value={studyDate}
            placeholder="YYYYMMDD[-YYYYMMDD]"
            onChange={(e) => setStudyDate(e.currentTarget.value)}
          />
        </label>
        <label className="field">
          <span>{t('pacs.modality')}</span>
          <input
            value={modality}
            placeholder="CT"
            onChange={(e) => setModality(e.currentTarget.value.toUpperCase())}
          />
        </label>
        <button className="button primary" type="submit" disabled={busy}>
          {busy ? t('pacs.searching') : t('pacs.search')}
        </button>
      </form>
      <p className="note">{t('pacs.hint')}</p>
      {error ? (
        <p className="error" role="alert">
          {t('pacs.error', { message: said(error) })}
        </p>
      ) : null}
      {results ? (
        results.length === 0 ? (
          <p className="empty">{t('pacs.noResults')}</p>
        ) : (
          <table className="results" aria-label={t('pacs.results')}>
            <thead>
              <tr>
                <th scope="col">{t('pacs.columns.patient')}</th>
                <th scope="col">{t('pacs.columns.date')}</th>
                <th scope="col">{t('pacs.columns.description')}</th>
                <th scope="col">{t('pacs.columns.modalities')}</th>
                <th scope="col">{t('pacs.columns.instances')}</th>
                <th scope="col">
                  <span className="visually-hidden">{t('pacs.open')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {results.map((r) => (
                <tr key={r.studyInstanceUID}>
                  <td>{r.patientName.replace(/\^/g, ' ')}</td>
                  <td>{r.studyDate}</td>
                  <td>{r.description}</td>
                  <td>{r.modalities.join(', ')}</td>
                  <td>{r.instanceCount ?? ''}</td>
                  <td>
                    <button type="button" className="button" onClick={() => open(r)}>
                      {t('pacs.open')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )
      ) : null}
      <form method="dialog">
        <button className="button" type="submit">
          {t('pacs.close')}
        </button>
      </form>
    </dialog>
  );
}
