/**
 * Names of files that have no name of their own (instances retrieved from a PACS): a language-neutral key
 * kept in the state and the load errors, worded in the reader's language only where it is shown.
 */
const PACS_INSTANCE = /^pacs-instance:(\d+)\/(\d+)$/;

/** The name of the n-th (from 1) of `total` instances retrieved from a PACS. */
export const pacsInstanceName = (n: number, total: number): string => `pacs-instance:${n}/${total}`;

/** The position of a PACS instance named by {@link pacsInstanceName}; null for any other name. */
export function pacsInstanceOf(name: string): { readonly n: number; readonly total: number } | null {
  const m = PACS_INSTANCE.exec(name);
  return m ? { n: Number(m[1]), total: Number(m[2]) } : null;
}
