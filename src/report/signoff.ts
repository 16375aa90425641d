/**
 * Sign-off: what stands in its way (no reader name, findings still pending review, sentences the
 * grounding check flags that the reader has neither fixed nor confirmed), the signed record (reader,
 * time, text, the findings signed, the confirmations), and addenda (each a new version that keeps the
 * signed text as it was). Pure.
 */
import { err, ok, type Result } from '../lib/result';
import type { Language } from '../i18n/language';
import type { GroundedSentence, Grounding } from './ground';
import { AI_NOTE, HEADINGS } from './structured';

/** A flagged sentence the reader confirmed as written (recorded in the audit trail and the SR). */
export interface Confirmation {
  readonly text: string;
  /** The problems confirmed, as `kind: found → expected`; a changed sentence needs a new confirmation. */
  readonly problems: readonly string[];
  readonly by: string;
  readonly at: string;
}

export interface ReportAuditEntry {
  readonly at: string;
  readonly by: string;
  readonly action: 'confirmed' | 'signed' | 'addendum-started' | 'addendum-signed' | 'stored' | 'exported';
  readonly detail: string;
}

export interface SignedReport {
  readonly schema: 'lucent.signed-report/1';
  /** 1 for the report, 2… for each addendum. */
  readonly version: number;
  readonly reader: string;
  readonly signedAt: string;
  readonly language: Language;
  /** The signed text, as the reader saw it (for an addendum: the earlier text and the addendum). */
  readonly text: string;
  /** The addendum's own text (versions after the first). */
  readonly addendum?: string;
  /** The findings the report speaks of (accepted at sign-off). */
  readonly findingIds: readonly string[];
  readonly confirmations: readonly Confirmation[];
  /** The model whose findings the reader reviewed, if any. */
  readonly ai: { readonly id: string; readonly version: string; readonly sha256?: string } | null;
}

export type SignOffBlock =
  | { readonly code: 'no-reader' }
  | { readonly code: 'empty' }
  | { readonly code: 'pending-findings'; readonly ids: readonly string[] }
  | { readonly code: 'ungrounded'; readonly sentences: readonly GroundedSentence[] };

/** How a sentence's problems are written in a confirmation. */
export function problemList(s: GroundedSentence): string[] {
  return s.problems.map((p) => `${p.kind}: ${p.found} → ${p.expected}`);
}

/** Whether a confirmation covers this flagged sentence as it is now. */
export function isConfirmed(s: GroundedSentence, confirmations: readonly Confirmation[]): boolean {
  const problems = problemList(s);
  return confirmations.some(
    (c) =>
      c.text === s.text &&
      c.problems.length === problems.length &&
      c.problems.every((p, i) => p === problems[i]),
  );
}

/** Flagged sentences that are neither fixed nor confirmed. */
export function unresolved(grounding: Grounding, confirmations: readonly Confirmation[]): GroundedSentence[] {
  return grounding.sentences.filter((s) => !s.grounded && !isConfirmed(s, confirmations));
}

/** The reader confirms a flagged sentence as written. */
export function confirmSentence(s: GroundedSentence, by: string, at: string): Confirmation {
  return { text: s.text, problems: problemList(s), by, at };
}

export interface SignOffInput {
  readonly reader: string;
  readonly text: string;
  readonly grounding: Grounding;
  readonly confirmations: readonly Confirmation[];
  /** Review status of every finding of the series. */
  readonly findings: readonly { readonly id: string; readonly status: 'pending' | 'accepted' | 'rejected' }[];
}

/** Everything that stands in the way of signing, in the order a reader would fix it. */
export function signOffBlocks(input: SignOffInput): SignOffBlock[] {
  const blocks: SignOffBlock[] = [];
  if (input.reader.trim() === '') blocks.push({ code: 'no-reader' });
  if (input.text.trim() === '') blocks.push({ code: 'empty' });
  const pending = input.findings.filter((f) => f.status === 'pending').map((f) => f.id);
  if (pending.length > 0) blocks.push({ code: 'pending-findings', ids: pending });
  const open = unresolved(input.grounding, input.confirmations);
  if (open.length > 0) blocks.push({ code: 'ungrounded', sentences: open });
  return blocks;
}

/** The note a signed report carries instead of the draft's. */
export function signedNote(ai: SignedReport['ai'], language: Language): string {
  if (!ai) return language === 'en' ? 'Reviewed and signed by the radiologist.' : '经放射科医生审核并签署。';
  return language === 'en'
    ? `AI-assisted: findings proposed by ${ai.id} ${ai.version} (AI output) were reviewed by the signing radiologist.`
    : `AI 辅助：${ai.id} ${ai.version} 提出的发现（AI 输出）已由签署的放射科医生审核。`;
}

/** The signed text: the draft's note replaced by the signed note (where the reader left it). */
export function signedText(text: string, ai: SignedReport['ai'], language: Language): string {
  let out = text;
  for (const note of Object.values(AI_NOTE)) out = out.split(note).join(signedNote(ai, language));
  return out;
}

export interface SignInput extends SignOffInput {
  readonly at: string;
  readonly language: Language;
  readonly ai: SignedReport['ai'];
}

/** Sign the report (version 1), or say what stands in the way. */
export function signReport(input: SignInput): Result<SignedReport, SignOffBlock[]> {
  const blocks = signOffBlocks(input);
  if (blocks.length > 0) return err(blocks);
  return ok({
    schema: 'lucent.signed-report/1',
    version: 1,
    reader: input.reader.trim(),
    signedAt: input.at,
    language: input.language,
    text: signedText(input.text, input.ai, input.language),
    findingIds: input.findings.filter((f) => f.status === 'accepted').map((f) => f.id),
    confirmations: input.confirmations.filter((c) =>
      input.grounding.sentences.some((s) => s.text === c.text),
    ),
    ai: input.ai,
  });
}

/**
 * Sign an addendum: a new version whose text is the earlier signed text, unchanged, followed by the
 * addendum under its heading with the reader and time.
 */
export function signAddendum(
  previous: SignedReport,
  input: Omit<SignInput, 'findings' | 'ai'>,
): Result<SignedReport, SignOffBlock[]> {
  const blocks = signOffBlocks({ ...input, findings: [] });
  if (blocks.length > 0) return err(blocks);
  const heading = HEADINGS[previous.language].addendum;
  const by =
    previous.language === 'en'
      ? `${input.reader.trim()}, ${input.at}`
      : `${input.reader.trim()}，${input.at}`;
  const colon = previous.language === 'en' ? ':' : '：';
  return ok({
    ...previous,
    version: previous.version + 1,
    reader: input.reader.trim(),
    signedAt: input.at,
    text: `${previous.text}\n\n${heading} (${by})${colon}\n${input.text.trim()}`,
    addendum: input.text.trim(),
    confirmations: [
      ...previous.confirmations,
      ...input.confirmations.filter((c) => input.grounding.sentences.some((s) => s.text === c.text)),
    ],
  });
}

/** The report as plain text for export: the text and who signed it when (or that it is a draft). */
export function plainTextReport(
  report: { readonly text: string } & Partial<Pick<SignedReport, 'reader' | 'signedAt' | 'version'>>,
  language: Language,
): string {
  const en = language === 'en';
  const footer = report.reader
    ? en
      ? `Signed by ${report.reader} at ${report.signedAt ?? ''}${report.version && report.version > 1 ? ` (version ${report.version})` : ''}.`
      : `签署：${report.reader}，${report.signedAt ?? ''}${report.version && report.version > 1 ? `（第 ${report.version} 版）` : ''}。`
    : en
      ? 'DRAFT: not signed.'
      : '草稿：未签署。';
  return `${report.text}\n\n${footer}\n`;
}
