/** Random-access byte sources: a browser Blob/File, a Node file, or bytes in memory. */
export interface ByteSource {
  /** The file name as the user knows it (relative path inside a folder or archive). */
  readonly name: string;
  readonly size: number;
  read(start: number, end: number): Promise<Uint8Array>;
}

export interface MemorySource extends ByteSource {
  readonly bytes: Uint8Array;
}

export function memorySource(name: string, bytes: Uint8Array): MemorySource {
  return {
    name,
    bytes,
    size: bytes.length,
    read: (start, end) => Promise.resolve(bytes.subarray(start, Math.min(end, bytes.length))),
  };
}

/** Minimal Blob shape, so this module does not depend on DOM typings at runtime. */
export interface BlobLike {
  readonly size: number;
  slice(start?: number, end?: number): { arrayBuffer(): Promise<ArrayBuffer> };
}

export function blobSource(name: string, blob: BlobLike): ByteSource {
  return {
    name,
    size: blob.size,
    read: async (start, end) =>
      new Uint8Array(await blob.slice(start, Math.min(end, blob.size)).arrayBuffer()),
  };
}

/**
 * Serve reads near the start of a source from one read-ahead: sniffing (archive signatures) and header
 * parsing then cost a single read per file.
 */
export function withReadAhead(source: ByteSource, ahead: number): ByteSource {
  let head: Promise<Uint8Array> | null = null;
  const limit = Math.min(ahead, source.size);
  return {
    name: source.name,
    size: source.size,
    ...('bytes' in source ? { bytes: (source as MemorySource).bytes } : {}),
    read(start, end) {
      if (end <= limit) {
        head ??= source.read(0, limit);
        return head.then((h) => h.subarray(start, end));
      }
      return source.read(start, end);
    },
  };
}
