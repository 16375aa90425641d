/**
 * STOW-RS (PS3.18 10.5) request bodies and responses: Part 10 instances as a multipart/related body, and
 * the server's DICOM JSON answer as lists of stored and refused instances. Pure.
 */
import { toHex } from '../lib/hash';

export interface StowResult {
  /** SOP Instance UIDs the server stored (Referenced SOP Sequence). */
  readonly stored: readonly string[];
  /** Instances it refused, with the Failure Reason code (Failed SOP Sequence). */
  readonly failed: readonly { readonly sopInstanceUID: string; readonly reason: number | null }[];
}

/** A boundary that cannot occur in the parts (checked; another is drawn in the unlikely case it does). */
function boundaryFor(parts: readonly Uint8Array[]): string {
  for (;;) {
    const random = toHex(crypto.getRandomValues(new Uint8Array(16)));
    const boundary = `lucent-${random}`;
    const needle = new TextEncoder().encode(boundary);
    const occurs = parts.some((p) => indexOf(p, needle) >= 0);
    if (!occurs) return boundary;
  }
}

function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  const first = needle[0];
  outer: for (let i = haystack.indexOf(first ?? 0); i >= 0 && i <= haystack.length - needle.length;) {
    for (let j = 1; j < needle.length; j++) {
      if (haystack[i + j] !== needle[j]) {
        i = haystack.indexOf(first ?? 0, i + 1);
        continue outer;
      }
    }
    return i;
  }
  return -1;
}

/** The multipart/related body of a STOW-RS request and its Content-Type header. */
export function stowBody(instances: readonly Uint8Array[]): {
  body: Uint8Array<ArrayBuffer>;
  contentType: string;
} {
  const boundary = boundaryFor(instances);
  const enc = new TextEncoder();
  const head = enc.encode(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`);
  const crlf = enc.encode('\r\n');
  const close = enc.encode(`--${boundary}--\r\n`);
  const size = instances.reduce((n, p) => n + head.length + p.length + crlf.length, close.length);
  const body = new Uint8Array(size);
  let at = 0;
  for (const p of instances) {
    body.set(head, at);
    at += head.length;
    body.set(p, at);
    at += p.length;
    body.set(crlf, at);
    at += crlf.length;
  }
  body.set(close, at);
  return {
    body,
    contentType: `multipart/related; type="application/dicom"; boundary=${boundary}`,
  };
}

type JsonAttr = { Value?: unknown[] };
type JsonDataset = Record<string, JsonAttr | undefined>;

function items(ds: JsonDataset, tag: string): JsonDataset[] {
  const v = ds[tag]?.Value ?? [];
  return v.filter((x): x is JsonDataset => typeof x === 'object' && x !== null);
}

function first(ds: JsonDataset, tag: string): unknown {
  return ds[tag]?.Value?.[0];
}

/** The stored and refused instances from a STOW-RS response body (DICOM JSON; anything else: none). */
export function stowResult(json: unknown): StowResult {
  const ds = (Array.isArray(json) ? (json[0] as unknown) : json) as JsonDataset | null;
  if (typeof ds !== 'object' || ds === null) return { stored: [], failed: [] };
  const stored = items(ds, '00081199')
    .map((i) => first(i, '00081155'))
    .filter((u): u is string => typeof u === 'string');
  const failed = items(ds, '00081198').map((i) => {
    const reason = first(i, '00081197');
    const uid = first(i, '00081155');
    return {
      sopInstanceUID: typeof uid === 'string' ? uid : '',
      reason: typeof reason === 'number' ? reason : null,
    };
  });
  return { stored, failed };
}
