/**
 * HTTP for the batch's DICOMweb calls (Node's fetch): every request gives up after a timeout, and a
 * read (GET) that the network cut short is sent again up to twice before the job itself fails and is
 * retried by the queue. Writes (STOW-RS) are never repeated here: the job's retry checks first.
 */
import type { Fetch } from '../dicom/dicomweb';

export const REQUEST_TIMEOUT_MS = 120_000;
const READ_RETRIES = 2;

export function batchFetch(timeoutMs = REQUEST_TIMEOUT_MS): Fetch {
  const once: Fetch = (url, init) =>
    fetch(url, {
      ...init,
      signal: init?.signal
        ? AbortSignal.any([init.signal, AbortSignal.timeout(timeoutMs)])
        : AbortSignal.timeout(timeoutMs),
    });
  return async (url, init) => {
    const read = (init?.method ?? 'GET') === 'GET';
    for (let attempt = 0; ; attempt++) {
      try {
        const res = await once(url, init);
        if (!read) return res;
        // Read the body here, so that a connection cut mid-body is retried like one cut before it.
        const body = await res.arrayBuffer();
        return {
          ok: res.ok,
          status: res.status,
          statusText: res.statusText,
          headers: res.headers,
          arrayBuffer: () => Promise.resolve(body),
          json: () => Promise.resolve(JSON.parse(new TextDecoder().decode(body)) as unknown),
        };
      } catch (e) {
        if (!read || attempt >= READ_RETRIES || init?.signal?.aborted) throw e;
        await new Promise((r) => setTimeout(r, 250 * (attempt + 1)));
      }
    }
  };
}
