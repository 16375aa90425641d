/** Files from inputs and drag-and-drop (including dropped folders), with their relative paths. */
import type { OpenFile } from './context';

export function filesFromInput(list: FileList | null): OpenFile[] {
  if (!list) return [];
  return Array.from(list, (file) => ({ file, name: file.webkitRelativePath || file.name }));
}

interface EntryLike {
  readonly isFile: boolean;
  readonly isDirectory: boolean;
  readonly name: string;
  readonly fullPath: string;
}
interface FileEntryLike extends EntryLike {
  file(ok: (f: File) => void, fail: (e: unknown) => void): void;
}
interface DirEntryLike extends EntryLike {
  createReader(): { readEntries(ok: (entries: EntryLike[]) => void, fail: (e: unknown) => void): void };
}

async function walkEntry(entry: EntryLike, out: OpenFile[]): Promise<void> {
  if (entry.isFile) {
    const file = await new Promise<File>((ok, fail) => (entry as FileEntryLike).file(ok, fail));
    out.push({ file, name: entry.fullPath.replace(/^\//, '') || file.name });
    return;
  }
  if (!entry.isDirectory) return;
  const reader = (entry as DirEntryLike).createReader();
  // readEntries returns at most ~100 entries per call: keep reading until it returns none.
  for (;;) {
    const batch = await new Promise<EntryLike[]>((ok, fail) => reader.readEntries(ok, fail));
    if (batch.length === 0) break;
    for (const child of batch) await walkEntry(child, out);
  }
}

export async function filesFromDrop(data: DataTransfer): Promise<OpenFile[]> {
  const entries = Array.from(data.items)
    .map((item) => (item.kind === 'file' ? (item.webkitGetAsEntry?.() as EntryLike | null) : null))
    .filter((e): e is EntryLike => e !== null);
  if (entries.length === 0) return filesFromInput(data.files);
  const out: OpenFile[] = [];
  for (const e of entries) await walkEntry(e, out);
  return out;
}
