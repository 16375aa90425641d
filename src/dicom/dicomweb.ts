/**
 * DICOMweb client: QIDO-RS search (studies, series, instances) and WADO-RS retrieval of whole instances
 * as Part 10 bytes, so that PACS images go through exactly the same parser as local files.
 * Pure: the host passes `fetch` in. Query values are sent to the configured server only.
 */
import { DicomError } from './parse';
import { messageOf } from '../lib/errors';
import { stowBody, stowResult, type StowResult } from './stow';

export type { StowResult } from './stow';

export type Fetch = (
  input: string,
  init?: {
    method?: string;
    headers?: Record<string, string>;
    body?: Uint8Array<ArrayBuffer>;
    signal?: AbortSignal;
  },
) => Promise<{
  ok: boolean;
  status: number;
  statusText: string;
  headers: { get(name: string): string | null };
  arrayBuffer(): Promise<ArrayBuffer>;
  json(): Promise<unknown>;
}>;

export interface StudyQuery {
  readonly patientName?: string;
  readonly patientId?: string;
  /** DICOM date or range: YYYYMMDD, YYYYMMDD-YYYYMMDD, or YYYY-MM-DD as typed in a date input. */
  readonly studyDate?: string;
  readonly modality?: string;
  readonly limit?: number;
}

export interface StudyHit {
  readonly studyInstanceUID: string;
  readonly patientName: string;
  readonly patientId: string;
  readonly studyDate: string;
  readonly description: string;
  readonly modalities: readonly string[];
  readonly seriesCount?: number;
  readonly instanceCount?: number;
}

export interface SeriesHit {
  readonly studyInstanceUID: string;
  readonly seriesInstanceUID: string;
  readonly modality: string;
  readonly description: string;
  readonly instanceCount?: number;
}

export interface InstanceRef {
  readonly studyInstanceUID: string;
  readonly seriesInstanceUID: string;
  readonly sopInstanceUID: string;
}

type JsonAttr = { vr?: string; Value?: unknown[] };
type JsonDataset = Record<string, JsonAttr>;

function value(ds: JsonDataset, tag: string): unknown {
  return ds[tag]?.Value?.[0];
}

function text(ds: JsonDataset, tag: string): string {
  const v = value(ds, tag);
  if (v === undefined || v === null) return '';
  if (typeof v === 'object') {
    const alphabetic = (v as Record<string, unknown>)['Alphabetic'];
    return typeof alphabetic === 'string' ? alphabetic : '';
  }
  return typeof v === 'string' || typeof v === 'number' ? String(v) : '';
}

function texts(ds: JsonDataset, tag: string): string[] {
  return (ds[tag]?.Value ?? []).map((v) => String(v));
}

function int(ds: JsonDataset, tag: string): number | undefined {
  const v = value(ds, tag);
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

/** Normalise a user-typed date or range ("2024-01-31", "20240101-20240131", "2024-01-01 -") to DICOM DA syntax. */
export function dicomDate(input: string): string {
  const s = input.trim();
  const dates = [...s.matchAll(/(\d{4})-?(\d{2})-?(\d{2})/g)].map((m) => `${m[1]}${m[2]}${m[3]}`);
  const [first, second] = dates;
  if (!first) return s;
  if (second) return `${first}-${second}`;
  if (/^-/.test(s)) return `-${first}`;
  if (/-\s*$/.test(s.replace(/(\d{4})-(\d{2})-(\d{2})$/, ''))) return `${first}-`;
  return first;
}

export function normaliseBase(url: string): string {
  return url.trim().replace(/\/+$/, '');
}

/** What a study search returns beyond the defaults: Study Description, Modalities in Study, counts. */
const STUDY_FIELDS = ['00081030', '00080061', '00201206', '00201208'];
/** What a series search returns beyond the defaults: Study Instance UID, Modality, Description, count. */
const SERIES_FIELDS = ['0020000D', '00080060', '0008103E', '00201209'];

export class DicomWebClient {
  /** `headers` go with every request (e.g. an Authorization header from the host's configuration). */
  constructor(
    private readonly base: string,
    private readonly fetchFn: Fetch,
    private readonly headers: Readonly<Record<string, string>> = {},
  ) {}

  private async getJson(path: string, signal?: AbortSignal): Promise<JsonDataset[]> {
    const url = `${normaliseBase(this.base)}${path}`;
    let res: Awaited<ReturnType<Fetch>>;
    try {
      res = await this.fetchFn(url, {
        headers: { ...this.headers, Accept: 'application/dicom+json' },
        signal,
      });
    } catch (e) {
      throw new DicomError(
        'fetch-failed',
        `The DICOMweb server did not answer (${messageOf(e)}). Check the URL, that the server is running, and that it allows this origin (CORS).`,
        { kind: 'no-answer' },
      );
    }
    if (res.status === 204) return [];
    if (!res.ok)
      throw new DicomError('fetch-failed', `The DICOMweb server answered ${res.status} ${res.statusText}.`, {
        kind: 'http',
        status: res.status,
      });
    // A body that is not JSON at all (an HTML error page) is refused like any other non-list.
    const body: unknown = await res.json().catch(() => null);
    if (!Array.isArray(body))
      throw new DicomError(
        'fetch-failed',
        'The DICOMweb server sent a response that is not a DICOM JSON list.',
        { kind: 'not-list' },
      );
    return body as JsonDataset[];
  }

  /** A QIDO-RS search: `params` plus one `includefield` for each extra attribute (tag) to return. */
  private qido(
    path: string,
    params: URLSearchParams,
    include: readonly string[],
    signal?: AbortSignal,
  ): Promise<JsonDataset[]> {
    for (const f of include) params.append('includefield', f);
    return this.getJson(`${path}?${params.toString()}`, signal);
  }

  async searchStudies(q: StudyQuery, signal?: AbortSignal): Promise<StudyHit[]> {
    const params = new URLSearchParams();
    if (q.patientName)
      params.set('PatientName', q.patientName.includes('*') ? q.patientName : `*${q.patientName}*`);
    if (q.patientId) params.set('PatientID', q.patientId);
    if (q.studyDate) params.set('StudyDate', dicomDate(q.studyDate));
    if (q.modality) params.set('ModalitiesInStudy', q.modality);
    params.set('limit', String(q.limit ?? 100));
    const rows = await this.qido('/studies', params, STUDY_FIELDS, signal);
    return rows
      .map((ds) => ({
        studyInstanceUID: text(ds, '0020000D'),
        patientName: text(ds, '00100010'),
        patientId: text(ds, '00100020'),
        studyDate: text(ds, '00080020'),
        description: text(ds, '00081030'),
        modalities: texts(ds, '00080061'),
        seriesCount: int(ds, '00201206'),
        instanceCount: int(ds, '00201208'),
      }))
      .filter((s) => s.studyInstanceUID !== '');
  }

  async listInstances(studyInstanceUID: string, signal?: AbortSignal): Promise<InstanceRef[]> {
    const path = `/studies/${encodeURIComponent(studyInstanceUID)}/instances`;
    const rows = await this.qido(path, new URLSearchParams(), ['0020000E'], signal);
    return rows
      .map((ds) => ({
        studyInstanceUID,
        seriesInstanceUID: text(ds, '0020000E'),
        sopInstanceUID: text(ds, '00080018'),
      }))
      .filter((r) => r.seriesInstanceUID !== '' && r.sopInstanceUID !== '');
  }

  /**
   * QIDO-RS series search across studies. `query` holds attribute filters as the server takes them
   * (keywords or tags: `Modality=CT`, `StudyDate=20260101-`); `limit` and `offset` page through the hits.
   */
  async searchSeries(
    query: Readonly<Record<string, string>>,
    page: { readonly limit: number; readonly offset: number },
    signal?: AbortSignal,
  ): Promise<SeriesHit[]> {
    const params = new URLSearchParams(Object.entries(query));
    params.set('limit', String(page.limit));
    params.set('offset', String(page.offset));
    const rows = await this.qido('/series', params, SERIES_FIELDS, signal);
    return rows
      .map((ds) => ({
        studyInstanceUID: text(ds, '0020000D'),
        seriesInstanceUID: text(ds, '0020000E'),
        modality: text(ds, '00080060'),
        description: text(ds, '0008103E'),
        instanceCount: int(ds, '00201209'),
      }))
      .filter((s) => s.studyInstanceUID !== '' && s.seriesInstanceUID !== '');
  }

  /** The instances of one series (QIDO-RS); none when the server does not know the series. */
  async listSeriesInstances(
    studyInstanceUID: string,
    seriesInstanceUID: string,
    signal?: AbortSignal,
  ): Promise<InstanceRef[]> {
    const path = `/studies/${encodeURIComponent(studyInstanceUID)}/series/${encodeURIComponent(seriesInstanceUID)}/instances`;
    let rows: JsonDataset[];
    try {
      rows = await this.getJson(path, signal);
    } catch (e) {
      if (e instanceof DicomError && e.detail['status'] === 404) return [];
      throw e;
    }
    return rows
      .map((ds) => ({ studyInstanceUID, seriesInstanceUID, sopInstanceUID: text(ds, '00080018') }))
      .filter((r) => r.sopInstanceUID !== '');
  }

  /**
   * STOW-RS: store Part 10 instances (one request, multipart/related). Resolves with the instances the
   * server took and those it refused (with the failure reason code); throws when the request fails.
   */
  async store(instances: readonly Uint8Array[], signal?: AbortSignal): Promise<StowResult> {
    const { body, contentType } = stowBody(instances);
    let res: Awaited<ReturnType<Fetch>>;
    try {
      res = await this.fetchFn(`${normaliseBase(this.base)}/studies`, {
        method: 'POST',
        headers: { ...this.headers, 'Content-Type': contentType, Accept: 'application/dicom+json' },
        body,
        signal,
      });
    } catch (e) {
      throw new DicomError('fetch-failed', `Storing to the DICOMweb server failed: ${messageOf(e)}`, {
        kind: 'store-no-answer',
      });
    }
    const json: unknown = await res.json().catch(() => null);
    const result = stowResult(json);
    if (!res.ok && result.stored.length === 0) {
      const reasons = result.failed.map((f) => f.reason).join(', ');
      throw new DicomError(
        'fetch-failed',
        `The DICOMweb server refused the instances: ${res.status} ${res.statusText}${reasons ? ` (failure reasons ${reasons})` : ''}.`,
        reasons
          ? { kind: 'store-refused-reasons', status: res.status, reasons }
          : { kind: 'store-refused', status: res.status },
      );
    }
    return result;
  }

  /** WADO-RS retrieve of one instance in its stored transfer syntax, as Part 10 bytes. */
  async retrieveInstance(ref: InstanceRef, signal?: AbortSignal): Promise<Uint8Array> {
    const url = `${normaliseBase(this.base)}/studies/${encodeURIComponent(ref.studyInstanceUID)}/series/${encodeURIComponent(
      ref.seriesInstanceUID,
    )}/instances/${encodeURIComponent(ref.sopInstanceUID)}`;
    let res: Awaited<ReturnType<Fetch>>;
    try {
      res = await this.fetchFn(url, {
        headers: {
          ...this.headers,
          Accept: 'multipart/related; type="application/dicom"; transfer-syntax=*',
        },
        signal,
      });
    } catch (e) {
      throw new DicomError('fetch-failed', `Retrieving an instance failed: ${messageOf(e)}`, {
        kind: 'retrieve-no-answer',
      });
    }
    if (!res.ok)
      throw new DicomError(
        'fetch-failed',
        `Retrieving an instance failed: ${res.status} ${res.statusText}.`,
        {
          kind: 'retrieve-http',
          status: res.status,
        },
      );
    const body = new Uint8Array(await res.arrayBuffer());
    const type = res.headers.get('content-type') ?? '';
    if (!type.toLowerCase().startsWith('multipart/')) return body;
    const parts = parseMultipart(body, type);
    const first = parts[0];
    if (!first)
      throw new DicomError('fetch-failed', 'The server sent an empty multipart response.', {
        kind: 'multipart-empty',
      });
    return first;
  }
}

/** Split a multipart/related body into its parts' bodies (headers dropped). */
export function parseMultipart(body: Uint8Array, contentType: string): Uint8Array[] {
  const m = /boundary="?([^";,]+)"?/i.exec(contentType);
  if (!m)
    throw new DicomError('fetch-failed', 'The multipart response has no boundary.', {
      kind: 'multipart-no-boundary',
    });
  const delimiter = new TextEncoder().encode(`--${m[1]}`);
  const indexOf = (from: number): number => {
    outer: for (let i = from; i <= body.length - delimiter.length; i++) {
      for (let j = 0; j < delimiter.length; j++) if (body[i + j] !== delimiter[j]) continue outer;
      return i;
    }
    return -1;
  };
  const parts: Uint8Array[] = [];
  let at = indexOf(0);
  while (at >= 0) {
    const afterDelim = at + delimiter.length;
    if (body[afterDelim] === 0x2d && body[afterDelim + 1] === 0x2d) break; // closing delimiter
    // Headers end at the first blank line.
    let headerEnd = -1;
    for (let i = afterDelim; i < body.length - 3; i++) {
      if (body[i] === 0x0d && body[i + 1] === 0x0a && body[i + 2] === 0x0d && body[i + 3] === 0x0a) {
        headerEnd = i + 4;
        break;
      }
    }
    if (headerEnd < 0) break;
    const next = indexOf(headerEnd);
    if (next < 0) break;
    let end = next;
    if (body[end - 2] === 0x0d && body[end - 1] === 0x0a) end -= 2;
    parts.push(body.subarray(headerEnd, end));
    at = next;
  }
  return parts;
}
