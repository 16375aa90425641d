/**
 * The report in the browser host: the structured draft follows the review live (every time the review
 * recomputes its summary, the generated draft is merged in without touching typed text), the editor's
 * text is read back into the draft, a language model's streamed text has its slot, flagged sentences
 * are confirmed, the report is signed (then read-only), and the signed report leaves as DICOM SR: a
 * file without patient identifiers by default, or stored to the DICOMweb server by STOW-RS.
 */
import { createDeidentifier } from '../dicom/deidentify';
import { DicomWebClient } from '../dicom/dicomweb';
import { summarise } from '../analysis/summary';
import { getInstance } from '../imaging/registry';
import { applyEdit, draftText, mergeDraft, withModelText } from '../report/editing';
import { sentenceAt } from '../report/ground';
import { reportGrounding, reviewStates } from '../report/session';
import { confirmSentence, signAddendum, signReport } from '../report/signoff';
import { aiResultsSr, signedSrUids, type SrSource } from '../report/sr';
import { provenanceOf } from '../dicom/series';
import type { ReportDraft, TechniqueFacts } from '../report/structured';
import { failureOf, LucentError } from '../lib/errors';
import type { AppState } from '../store';
import { findSeries } from '../store/selectors';
import type { Host } from './host';
import { downloadBlob } from './download';

const SOFTWARE = 'Lucent (browser)';

/** Acquisition facts from the header of the reviewed series' first instance. */
function techniqueOf(state: AppState): TechniqueFacts | null {
  const series = findSeries(state, state.reviewSeriesKey);
  const head = getInstance(series?.instanceKeys[0] ?? '')?.info;
  if (!series || !head) return null;
  return {
    modality: series.modality,
    ...(series.bodyPartExamined ? { bodyPart: series.bodyPartExamined } : {}),
    ...(head.image?.sliceThickness ? { sliceThicknessMm: head.image.sliceThickness } : {}),
  };
}

export class ReportHost {
  constructor(private readonly host: Host) {}

  /** Follow the review: each new summary (AI run, decision, edit, language, restore) updates the draft. */
  start(): () => void {
    return this.host.store.subscribe((s, prev) => {
      if (s.report !== prev.report) this.regenerate();
    });
  }

  private regenerate(): void {
    const { store } = this.host;
    const s = store.getState();
    if (s.signedReport) return;
    if (!s.report) {
      store.setState({ reportDraft: null, reportText: '' });
      return;
    }
    const generated = summarise(
      s.findings.filter((f) => f.status !== 'rejected'),
      s.language,
      techniqueOf(s),
    ).draft;
    this.setDraft(mergeDraft(s.reportDraft, generated));
  }

  private setDraft(draft: ReportDraft): void {
    this.host.store.setState({ reportDraft: draft, reportText: draftText(draft), reportBlocks: [] });
  }

  /** The reader edited the text: typed sentences are recorded as typed. */
  edit(text: string): void {
    const { store } = this.host;
    const { reportDraft, signedReport } = store.getState();
    if (signedReport || !reportDraft) return;
    store.setState({ reportDraft: applyEdit(reportDraft, text), reportText: text, reportBlocks: [] });
  }

  /** The language model's text so far (the LLM host calls this as tokens stream in). */
  modelText(text: string): void {
    const { reportDraft, signedReport } = this.host.store.getState();
    if (signedReport || !reportDraft) return;
    this.setDraft(withModelText(reportDraft, text));
  }

  setReader(name: string): void {
    this.host.store.setState({ reportReader: name });
  }

  /** The reader confirms the flagged sentence that starts at `start` as written. */
  confirm(start: number): void {
    const { store } = this.host;
    const s = store.getState();
    const reader = s.reportReader.trim();
    if (s.signedReport || reader === '') {
      store.setState({ reportBlocks: reader === '' ? [{ code: 'no-reader' }] : [] });
      return;
    }
    const grounding = reportGrounding(s.reportText, s.findings, s.language, s.caseLungRads?.category);
    const sentence = sentenceAt(grounding, start);
    if (!sentence || sentence.grounded) return;
    store.setState({
      reportConfirmations: [
        ...s.reportConfirmations,
        confirmSentence(sentence, reader, new Date().toISOString()),
      ],
      reportBlocks: [],
    });
  }

  sign(): void {
    const { store } = this.host;
    const s = store.getState();
    if (s.signedReport) return;
    const model = s.ai.model;
    const manifest = s.models?.find((m) => m.manifest.id === model?.id)?.manifest;
    const r = signReport({
      reader: s.reportReader,
      text: s.reportText,
      grounding: reportGrounding(s.reportText, s.findings, s.language, s.caseLungRads?.category),
      confirmations: s.reportConfirmations,
      findings: reviewStates(s.findings),
      at: new Date().toISOString(),
      language: s.language,
      ai: model
        ? { id: model.id, version: model.version, ...(manifest ? { sha256: manifest.sha256 } : {}) }
        : null,
    });
    if (r.ok)
      store.setState({
        signedReport: r.value,
        reportText: r.value.text,
        reportBlocks: [],
        reportExport: null,
      });
    else store.setState({ reportBlocks: r.error });
  }

  startAddendum(): void {
    const s = this.host.store.getState();
    if (!s.signedReport || s.addendumText !== null) return;
    this.host.store.setState({ addendumText: '', reportBlocks: [], reportExport: null });
  }

  editAddendum(text: string): void {
    if (this.host.store.getState().addendumText === null) return;
    this.host.store.setState({ addendumText: text });
  }

  /**
   * Sign the open addendum: a new version whose text is the signed text, unchanged, then the addendum
   * under its heading. Its sentences are checked like the report's (a flagged one must be fixed or
   * confirmed); the next SR is a new instance for the new version.
   */
  signAddendum(): void {
    const { store } = this.host;
    const s = store.getState();
    if (!s.signedReport || s.addendumText === null) return;
    const r = signAddendum(s.signedReport, {
      reader: s.reportReader,
      text: s.addendumText,
      grounding: reportGrounding(s.addendumText, s.findings, s.language, s.caseLungRads?.category),
      confirmations: s.reportConfirmations,
      at: new Date().toISOString(),
      language: s.signedReport.language,
    });
    if (r.ok)
      store.setState({
        signedReport: r.value,
        reportText: r.value.text,
        addendumText: null,
        reportBlocks: [],
        reportExport: null,
      });
    else store.setState({ reportBlocks: r.error });
  }

  /** The signed report as SR: accepted findings, the reader as verifier, the signed text. */
  private srBytes(withPatient: boolean): { bytes: Uint8Array; sopInstanceUID: string; studyUID: string } {
    const s = this.host.store.getState();
    const signed = s.signedReport;
    const series = findSeries(s, s.reviewSeriesKey);
    if (!signed || !series) throw new LucentError('not-signed', 'Sign the report first.');
    const instances = series.instanceKeys.map((k) => getInstance(k)?.info).filter((i) => i !== undefined);
    // The SR is always written whole; without the patient it then goes through the same de-identification
    // as `lucent deidentify` (new UIDs, identifiers out of the header and out of the report's text).
    const source: SrSource = provenanceOf(instances);
    const accepted = s.findings.filter((f) => signed.findingIds.includes(f.id));
    const at = new Date(signed.signedAt);
    const signedFacts = { reader: signed.reader, at, text: signed.text, version: signed.version };
    const bytes = aiResultsSr(
      {
        studyInstanceUID: series.studyInstanceUID,
        seriesInstanceUID: series.seriesInstanceUID,
        modality: series.modality,
        model: {
          id: signed.ai?.id ?? 'none',
          version: signed.ai?.version ?? '0',
          sha256: signed.ai?.sha256 ?? '',
        },
        // A finding the reader drew carries no score and names no algorithm in the SR.
        findings: accepted.map((f) => ({ ...f, score: f.source.kind === 'user' ? null : (f.score ?? null) })),
        lungRads: s.caseLungRads,
      },
      { source, created: at, software: SOFTWARE, language: signed.language, signed: signedFacts },
    );
    if (!withPatient) {
      const out = createDeidentifier({ structuredContent: 'clean' }).file(bytes);
      return { bytes: out.bytes, sopInstanceUID: out.sopInstanceUID, studyUID: out.studyInstanceUID };
    }
    return {
      bytes,
      sopInstanceUID: signedSrUids(series.seriesInstanceUID, signedFacts).sopInstanceUID,
      studyUID: series.studyInstanceUID,
    };
  }

  /**
   * Download the signed report as a DICOM SR file: de-identified (PS3.15 Basic Profile with the Clean
   * Structured Content Option) unless asked to keep the patient.
   */
  exportSr(withPatient = false): void {
    const { store } = this.host;
    try {
      const { bytes, sopInstanceUID } = this.srBytes(withPatient);
      downloadBlob(
        `lucent-report-${sopInstanceUID.slice(-12)}.dcm`,
        new Blob([bytes.slice()], { type: 'application/dicom' }),
      );
      store.setState({
        reportExport: { state: 'exported', detail: withPatient ? 'identified' : 'deidentified' },
      });
    } catch (e) {
      store.setState({ reportExport: { state: 'failed', failure: failureOf(e) } });
    }
  }

  /** Store the signed report's SR in the study on the DICOMweb server (STOW-RS), with its identifiers. */
  async sendToPacs(): Promise<void> {
    const { store } = this.host;
    const url = store.getState().pacsUrl;
    if (url === '') {
      store.setState({ reportExport: { state: 'failed', detail: 'no-server' } });
      return;
    }
    store.setState({ reportExport: { state: 'working' } });
    try {
      const { bytes, sopInstanceUID } = this.srBytes(true);
      const result = await new DicomWebClient(url, fetch.bind(globalThis)).store([bytes]);
      if (!result.stored.includes(sopInstanceUID))
        throw new LucentError('not-stored', 'The server did not store the report.');
      store.setState({ reportExport: { state: 'stored' } });
    } catch (e) {
      store.setState({ reportExport: { state: 'failed', failure: failureOf(e) } });
    }
  }
}
