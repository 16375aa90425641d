/**
 * What the Report panel may call (implemented by app/report.ts). `modelText` is the language model's
 * slot: the LLM host passes the text streamed so far and it replaces the template sentences of the
 * sections it writes, never what the reader typed.
 */
export interface ReportActions {
  /** The reader changed the editor's text. */
  edit(text: string): void;
  /** A language model's draft so far (streamed). */
  modelText(text: string): void;
  setReader(name: string): void;
  /** Confirm as written the flagged sentence starting at this offset of the text. */
  confirm(start: number): void;
  sign(): void;
  /** Open an addendum to the signed report (the signed text stays as it is). */
  startAddendum(): void;
  /** The reader changed the addendum's text. */
  editAddendum(text: string): void;
  /** Sign the addendum: a new version of the report, the earlier text unchanged above it. */
  signAddendum(): void;
  /** Download the signed report as DICOM SR (without patient identifiers unless asked). */
  exportSr(withPatient?: boolean): void;
  /** Store the signed report's SR to the DICOMweb server (STOW-RS). */
  sendToPacs(): Promise<void>;
}
