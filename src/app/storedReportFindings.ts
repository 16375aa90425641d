/**
 * A stored report's measurement groups as review records on one image series, and which of a study's
 * stored reports to show. Pure: the browser host (storedReports.ts) gives it what it read.
 *
 * - A report applies to a series when it refers to the series' instances, or when its coordinates are in
 *   the series' frame of reference (then they place correctly on any series of that frame).
 * - Of several, the newest signed report wins (content date and time, then instance number); without a
 *   signed one, the newest unsigned one.
 * - A signed (VERIFIED) report's groups are accepted findings (Lucent signs only the accepted ones); an
 *   unsigned one's are pending. Every record says it came from the stored report (`origin`), in its
 *   history too.
 * - Geometry is what the report gives: a missing mean diameter comes from the axes (or the volume as a
 *   sphere), missing axes from the mean, a missing volume from the axes as an ellipsoid. A group with no
 *   size, no location, or a location in another frame of reference or on another series' image is not a
 *   finding here: it is listed in `unplaced`, never dropped silently.
 */
import { frameGeometry, seriesExtentZ, sliceNumberNearest, type Series } from '../dicom/series';
import type { ImageInfo } from '../dicom/instance';
import { pixelToPatient, type Vec3 } from '../dicom/geometry';
import { judgeNodule, zoneOf, type PatientContext } from '../findings/assess';
import { roundToTenthMm } from '../findings/measure';
import type { AuditEntry, Author, FindingOrigin, FindingRecord } from '../findings/record';
import { validMm } from '../findings/review';
import type { NoduleGeometry, NoduleType } from '../findings/types';
import type { Language } from '../i18n';
import type { SrMeasurementGroup, StoredReport } from '../report/srRead';

/** The image series a report's findings are placed on. */
export interface SeriesTarget {
  readonly series: Series;
  readonly frameOfReferenceUID?: string;
  /** The series' SOP instances by SOP Instance UID, each with its image (geometry for SCOORD points). */
  readonly images: ReadonlyMap<string, ImageInfo | undefined>;
}

export interface Unplaced {
  /** The group's tracking identifier, or `#n` (its position in the report). */
  readonly label: string;
  readonly reason: 'no-size' | 'no-location' | 'elsewhere';
}

export interface ReportFindings {
  readonly findings: FindingRecord[];
  readonly unplaced: Unplaced[];
}

const USER: Author = { kind: 'user' };

function refersToSeries(report: StoredReport, target: SeriesTarget): boolean {
  return (
    report.referencedInstances.some((i) => target.images.has(i.sopInstanceUID)) ||
    report.groups.some((g) => g.location?.kind === 'image' && target.images.has(g.location.sopInstanceUID))
  );
}

/** Whether a report speaks of this series: its instances, or its frame of reference. */
export function reportApplies(report: StoredReport, target: SeriesTarget): boolean {
  if (refersToSeries(report, target)) return true;
  const frame = target.frameOfReferenceUID;
  if (!frame) return false;
  return (
    report.frameOfReferenceUID === frame ||
    report.groups.some((g) => g.location?.kind === 'patient' && g.location.frameOfReferenceUID === frame)
  );
}

/** DA + TM as one sortable string (missing parts sort oldest). */
function contentKey(r: StoredReport): string {
  const [whole = '', fraction = ''] = (r.contentTime ?? '').split('.');
  return `${(r.contentDate ?? '').padEnd(8, '0')}${whole.padEnd(6, '0')}${fraction.padEnd(6, '0')}`;
}

/** Newest first: signed before unsigned, then content date and time, then instance number. */
export function compareReports(a: StoredReport, b: StoredReport): number {
  const signed = (r: StoredReport): number => (r.verification === 'VERIFIED' ? 1 : 0);
  return (
    signed(b) - signed(a) ||
    contentKey(b).localeCompare(contentKey(a)) ||
    (b.instanceNumber ?? 0) - (a.instanceNumber ?? 0) ||
    a.sopInstanceUID.localeCompare(b.sopInstanceUID)
  );
}

/** The report to show on a series: the newest signed one that applies, else the newest unsigned one. */
export function chooseReport(reports: readonly StoredReport[], target: SeriesTarget): StoredReport | null {
  return (
    reports
      .filter((r) => reportApplies(r, target))
      .slice()
      .sort(compareReports)[0] ?? null
  );
}

/** YYYYMMDD → YYYY-MM-DD; undefined for anything else. */
export function isoDate(da: string | undefined): string | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(da?.trim() ?? '');
  return m ? `${m[1]}-${m[2]}-${m[3]}` : undefined;
}

/** DA (+ TM) or DT → an ISO timestamp (UTC, as Lucent writes them); undefined when there is no date. */
function isoDateTime(date: string | undefined, time = ''): string | undefined {
  const day = isoDate(date?.slice(0, 8));
  if (!day) return undefined;
  const t = /^(\d{2})(\d{2})?(\d{2})?/.exec(time.trim());
  return `${day}T${t?.[1] ?? '00'}:${t?.[2] ?? '00'}:${t?.[3] ?? '00'}.000Z`;
}

type Size = Omit<NoduleGeometry, 'centerMm' | 'solidComponentMm'>;

/** The group's sizes, completed from what it gives; null when it gives none usable. */
function sizeOf(g: SrMeasurementGroup): Size | null {
  const usable = (v: number | undefined): number | undefined =>
    v !== undefined && v > 0 && validMm(v) ? v : undefined;
  const given = { long: usable(g.longAxisMm), short: usable(g.shortAxisMm), mean: usable(g.meanDiameterMm) };
  const volume =
    g.volumeMm3 !== undefined && Number.isFinite(g.volumeMm3) && g.volumeMm3 > 0 ? g.volumeMm3 : undefined;
  const fromAxes =
    given.long !== undefined && given.short !== undefined
      ? roundToTenthMm((given.long + given.short) / 2)
      : (given.long ?? given.short);
  const fromVolume = volume !== undefined ? roundToTenthMm(Math.cbrt((6 * volume) / Math.PI)) : undefined;
  const mean = given.mean ?? fromAxes ?? fromVolume;
  if (mean === undefined || !validMm(mean)) return null;
  const a = given.long ?? mean;
  const b = given.short ?? Math.min(mean, a);
  const long = Math.max(a, b);
  const short = Math.min(a, b);
  return {
    meanDiameterMm: mean,
    longAxisMm: long,
    shortAxisMm: short,
    // An ellipsoid whose third axis equals the short axis (as a finding drawn by hand).
    volumeMm3: volume ?? Math.round((Math.PI / 6) * long * short * short * 10) / 10,
  };
}

/** The group's centre on this series, or why it has none here. */
function centreOf(
  g: SrMeasurementGroup,
  report: StoredReport,
  target: SeriesTarget,
): Vec3 | 'no-location' | 'elsewhere' {
  const at = g.location;
  if (!at) return 'no-location';
  if (at.kind === 'patient') {
    const frame = at.frameOfReferenceUID ?? report.frameOfReferenceUID;
    const here =
      frame !== undefined && target.frameOfReferenceUID !== undefined
        ? frame === target.frameOfReferenceUID
        : refersToSeries(report, target);
    return here ? at.pointMm : 'elsewhere';
  }
  const image = target.images.get(at.sopInstanceUID);
  if (!image) return 'elsewhere';
  try {
    const geometry = frameGeometry(image, (at.frame ?? 1) - 1);
    // SCOORD coordinates put the top left corner of the first pixel at (0, 0): its centre is (0.5, 0.5).
    return pixelToPatient(
      geometry.position,
      geometry.orientation ?? [1, 0, 0, 0, 1, 0],
      geometry.pixelSpacing,
      at.point[0] - 0.5,
      at.point[1] - 0.5,
    );
  } catch {
    return 'elsewhere'; // the image has no position or spacing to place a point with
  }
}

function authorOf(g: SrMeasurementGroup): Author {
  // Lucent writes "none" as the algorithm of a report signed without any model run.
  return g.algorithm && g.algorithm.name !== 'none'
    ? { kind: 'model', id: g.algorithm.name, version: g.algorithm.version ?? '' }
    : USER;
}

/** Finding ids: the report's own F1, F2… where it uses them (once each), the next free ones otherwise. */
function idsFor(groups: readonly SrMeasurementGroup[]): string[] {
  const taken = new Set<string>();
  const own = groups.map((g) => {
    const id = g.trackingId;
    if (id === undefined || !/^F\d+$/.test(id) || taken.has(id)) return undefined;
    taken.add(id);
    return id;
  });
  let n = 0;
  return own.map((id) => {
    if (id) return id;
    do n++;
    while (taken.has(`F${n}`));
    taken.add(`F${n}`);
    return `F${n}`;
  });
}

export interface ConvertContext {
  readonly patient: PatientContext;
  readonly language: Language;
  /** When the report gives no content date: the time the findings were read back (ISO). */
  readonly now: string;
}

/** A stored report's measurement groups as review records on the target series. */
export function findingsFromReport(
  report: StoredReport,
  target: SeriesTarget,
  context: ConvertContext,
): ReportFindings {
  const verified = report.verification === 'VERIFIED';
  const date = isoDate(report.contentDate);
  const origin: FindingOrigin = { kind: 'stored-report', verified, ...(date ? { date } : {}) };
  const created = isoDateTime(report.contentDate, report.contentTime) ?? context.now;
  const signer = report.verifiers[report.verifiers.length - 1];
  const signedAt = isoDateTime(signer?.at?.slice(0, 8), signer?.at?.slice(8)) ?? created;
  const extent = seriesExtentZ(target.series);
  const ids = idsFor(report.groups);
  const findings: FindingRecord[] = [];
  const unplaced: Unplaced[] = [];
  report.groups.forEach((g, i) => {
    const label = g.trackingId ?? `#${g.index}`;
    const centre = centreOf(g, report, target);
    if (typeof centre === 'string') {
      unplaced.push({ label, reason: centre });
      return;
    }
    const size = sizeOf(g);
    if (!size) {
      unplaced.push({ label, reason: 'no-size' });
      return;
    }
    const type: NoduleType = g.type ?? 'solid';
    const solid =
      type === 'part-solid' && g.solidComponentMm !== undefined && validMm(g.solidComponentMm)
        ? Math.min(g.solidComponentMm, size.longAxisMm)
        : null;
    const judged = judgeNodule(
      { type, meanDiameterMm: size.meanDiameterMm, solidComponentMm: solid },
      context.patient,
      context.language,
    );
    const source = authorOf(g);
    const id = ids[i] ?? `F${i + 1}`;
    const notes = [
      `from the ${verified ? 'signed report' : 'unsigned report'} stored with the study (DICOM SR${date ? ` of ${date}` : ''})`,
      ...(g.trackingId !== undefined && g.trackingId !== id ? [`tracking id ${g.trackingId}`] : []),
      ...(g.type === undefined ? ['composition not in the report: solid assumed'] : []),
    ];
    const history: AuditEntry[] = [
      { at: created, by: source, action: 'created', detail: notes.join('; ') },
      ...(verified
        ? [{ at: signedAt, by: USER, action: 'accepted' as const, detail: 'accepted in the signed report' }]
        : []),
    ];
    const lungZ = extent ?? [centre[2] - 1, centre[2] + 1];
    findings.push({
      id,
      seriesKey: target.series.key,
      source,
      status: verified ? 'accepted' : 'pending',
      type,
      score: source.kind === 'model' ? (g.score ?? null) : null,
      centerMm: centre,
      ...size,
      solidComponentMm: solid,
      location: { side: g.laterality ?? (centre[0] < 0 ? 'right' : 'left'), zone: zoneOf(centre[2], lungZ) },
      slice: sliceNumberNearest(target.series, centre),
      lungRads: g.lungRads ?? judged.lungRads,
      differentials: judged.differentials,
      history,
      origin,
    });
  });
  return { findings, unplaced };
}
