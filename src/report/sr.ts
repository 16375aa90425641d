/**
 * DICOM SR for AI results: one TID 1500 Imaging Measurement Report (Comprehensive 3D SR) per analysed
 * series, written by the device (the model), never by a person: Observer Type = Device, Verification Flag
 * UNVERIFIED, Preliminary Flag PRELIMINARY and a comment saying it is AI output no radiologist has read.
 *
 * Content tree:
 * - language, device observer (the model's name, version and a UID derived from its checksum), procedure
 *   reported (CT of chest), the image library (every instance of the source series);
 * - Imaging Measurements: one TID 1501 Measurement Group per finding (tracking id "F1"…, nodule in the
 *   right or left lung, the algorithm, long and short axis, mean diameter with the centre as a SCOORD3D
 *   point in the series' frame of reference, volume, solid component, composition, AI score, Lung-RADS);
 * - Qualitative Evaluations: the examination's Lung-RADS category, its management and the nodule count.
 *
 * The series and instance UIDs are derived from the source series and the model version
 * (`aiSrUids`), so storing the report of the same analysis twice replaces it instead of adding a second.
 * Pure: runs in the browser and in Node.
 */
import dcmjs from 'dcmjs';
import { explicitLeMeta } from '../lib/fileMeta';
import type { NoduleGeometry, NoduleLocation, NoduleType } from '../findings/types';
import type { Language } from '../i18n/language';
import { LucentError } from '../lib/errors';
import { sha256 } from '../lib/sha256';
import { CODES, PRIVATE_SCHEME, compositionCode, languageCode, lungRadsCode, type Code } from './srCodes';

export const COMPREHENSIVE_3D_SR = '1.2.840.10008.5.1.4.1.1.88.34';

export interface SrModel {
  readonly id: string;
  readonly version: string;
  readonly sha256: string;
}

/** A finding as `lucent.analysis/1` carries it (the fields the SR records). */
export interface SrFinding extends NoduleGeometry {
  readonly id: string;
  readonly type: NoduleType;
  /** The model's score; null for a finding the reader drew (it then names no algorithm). */
  readonly score: number | null;
  readonly lungRads: string;
  readonly location?: NoduleLocation;
}

/** One analysed series of `lucent.analysis/1` (an `AnalysisSeries` fits). */
export interface SrSeriesResult {
  readonly studyInstanceUID: string;
  readonly seriesInstanceUID: string;
  readonly modality: string;
  readonly model: SrModel | null;
  readonly findings: readonly SrFinding[];
  readonly lungRads: { readonly category: string; readonly management: string } | null;
}

/** What the SR copies from the source series: patient and study (to file it in the same study). */
export interface SrSource {
  readonly patient: {
    readonly name?: string;
    readonly id?: string;
    readonly birthDate?: string;
    readonly sex?: string;
  };
  readonly study: {
    readonly date?: string;
    readonly time?: string;
    readonly id?: string;
    readonly accessionNumber?: string;
    readonly description?: string;
  };
  readonly frameOfReferenceUID?: string;
  readonly instances: readonly { readonly sopClassUID: string; readonly sopInstanceUID: string }[];
}

export interface AiSrOptions {
  readonly source: SrSource;
  /** Content date and time (UTC). */
  readonly created: Date;
  /** Lucent's version (Software Versions). */
  readonly software: string;
  /** Language of the text items (management, comment); codes are the same in every language. */
  readonly language?: Language;
  /** Comment text; the default says the content is AI output not reviewed by a radiologist. */
  readonly comment?: string;
  /**
   * The radiologist's signed report: the SR is then verified by the reader (person observer, Verifying
   * Observer, FINAL), its comment is the signed text, and its UIDs are its own (each signed version is
   * a new instance beside the unreviewed AI results). Pass only the findings the reader accepted.
   */
  readonly signed?: {
    readonly reader: string;
    readonly at: Date;
    readonly text: string;
    readonly version: number;
    /** The reader's organisation (Verifying Organization, Type 1); "UNKNOWN" when not given. */
    readonly organization?: string;
  };
}

/** The UIDs of a signed report's SR: one series per source series, one instance per signed version. */
export function signedSrUids(
  sourceSeriesUID: string,
  signed: NonNullable<AiSrOptions['signed']>,
): { seriesInstanceUID: string; sopInstanceUID: string } {
  const key = `lucent-signed-sr|${sourceSeriesUID}`;
  return {
    seriesInstanceUID: derivedUid(`${key}|series`),
    sopInstanceUID: derivedUid(`${key}|${signed.reader}|${signed.at.toISOString()}|${signed.version}`),
  };
}

/** A UID under 2.25 (PS3.5 B.2) from a name: a version-8 UUID from SHA-256 of the name, as an integer. */
export function derivedUid(name: string): string {
  const b = sha256(new TextEncoder().encode(name)).slice(0, 16);
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x80;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  let v = 0n;
  for (const x of b) v = (v << 8n) | BigInt(x);
  return `2.25.${v.toString()}`;
}

/** The SR's series and instance UIDs for a source series and a model version: the same every time. */
export function aiSrUids(
  sourceSeriesUID: string,
  model: Pick<SrModel, 'id' | 'version'>,
): { seriesInstanceUID: string; sopInstanceUID: string } {
  const key = `lucent-ai-sr|${sourceSeriesUID}|${model.id}|${model.version}`;
  return { seriesInstanceUID: derivedUid(`${key}|series`), sopInstanceUID: derivedUid(`${key}|instance`) };
}

/** The SR's Series Description, which also names the model version for a reader of the PACS. */
export function aiSrDescription(model: Pick<SrModel, 'id' | 'version'>): string {
  return `Lucent AI ${model.id} ${model.version}`.slice(0, 64);
}

type Item = Record<string, unknown>;

const r = (v: number, digits: number): number => Number(v.toFixed(digits));
const codeSeq = (c: Code): Code[] => [c];

/** A content item (PS3.3 C.17.3): relationship, value type and concept name, then the value's attributes. */
function item(relationship: string, valueType: string, name: Code, value: Item): Item {
  return {
    RelationshipType: relationship,
    ValueType: valueType,
    ConceptNameCodeSequence: codeSeq(name),
    ...value,
  };
}

const childrenOf = (children: Item[]): Item => (children.length > 0 ? { ContentSequence: children } : {});

function text(relationship: string, name: Code, value: string): Item {
  return item(relationship, 'TEXT', name, { TextValue: value });
}

function code(relationship: string, name: Code, value: Code, children: Item[] = []): Item {
  return item(relationship, 'CODE', name, { ConceptCodeSequence: codeSeq(value), ...childrenOf(children) });
}

function num(name: Code, value: number, unit: Code, children: Item[] = []): Item {
  return item('CONTAINS', 'NUM', name, {
    MeasuredValueSequence: [{ MeasurementUnitsCodeSequence: codeSeq(unit), NumericValue: value }],
    ...childrenOf(children),
  });
}

function uidref(relationship: string, name: Code, value: string): Item {
  return item(relationship, 'UIDREF', name, { UID: value });
}

function container(name: Code, children: Item[], template?: string): Item {
  return item('CONTAINS', 'CONTAINER', name, {
    ContinuityOfContent: 'SEPARATE',
    ...(template
      ? { ContentTemplateSequence: [{ MappingResource: 'DCMR', TemplateIdentifier: template }] }
      : {}),
    ContentSequence: children,
  });
}

function measurementGroup(f: SrFinding, model: SrModel, srUid: string, frameOfReference?: string): Item[] {
  const site = code('HAS CONCEPT MOD', CODES.findingSite, CODES.lung, [
    ...(f.location
      ? [code('HAS CONCEPT MOD', CODES.laterality, f.location.side === 'right' ? CODES.right : CODES.left)]
      : []),
  ]);
  const centre = frameOfReference
    ? [
        item('INFERRED FROM', 'SCOORD3D', CODES.center, {
          GraphicType: 'POINT',
          GraphicData: f.centerMm.map((v) => r(v, 2)),
          ReferencedFrameOfReferenceUID: frameOfReference,
        }),
      ]
    : [];
  const children: Item[] = [
    text('HAS OBS CONTEXT', CODES.trackingIdentifier, f.id),
    uidref('HAS OBS CONTEXT', CODES.trackingUid, derivedUid(`${srUid}|${f.id}`)),
    code('CONTAINS', CODES.finding, CODES.nodule),
    site,
    ...(f.score !== null
      ? [
          text('HAS CONCEPT MOD', CODES.algorithmName, model.id),
          text('HAS CONCEPT MOD', CODES.algorithmVersion, model.version),
        ]
      : []),
    num(CODES.longAxis, r(f.longAxisMm, 1), CODES.mm),
    num(CODES.shortAxis, r(f.shortAxisMm, 1), CODES.mm),
    num(CODES.diameter, r(f.meanDiameterMm, 1), CODES.mm, [
      code('HAS CONCEPT MOD', CODES.derivation, CODES.mean),
      ...centre,
    ]),
    num(CODES.volume, Math.round(f.volumeMm3), CODES.mm3),
    ...(f.solidComponentMm !== null ? [num(CODES.solidComponent, r(f.solidComponentMm, 1), CODES.mm)] : []),
    code('CONTAINS', CODES.composition, compositionCode(f.type)),
    ...(f.score !== null ? [num(CODES.score, r(f.score, 3), CODES.noUnits)] : []),
    code('CONTAINS', CODES.lungRads, lungRadsCode(f.lungRads)),
  ];
  return [container(CODES.measurementGroup, children, '1501')];
}

const DEFAULT_COMMENT: Readonly<Record<Language, string>> = {
  en: 'AI output (research and education software, not a medical device). Not reviewed by a radiologist.',
  'zh-CN': 'AI 输出（科研与教学软件，非医疗器械）。未经放射科医师审阅。',
};

function contentTree(series: SrSeriesResult, model: SrModel, options: AiSrOptions, srUid: string): Item[] {
  const language = options.language ?? 'en';
  const { source } = options;
  const frameOfReference = source.frameOfReferenceUID;
  const library = container(CODES.imageLibrary, [
    container(CODES.imageLibraryGroup, [
      code('HAS ACQ CONTEXT', CODES.modality, {
        CodeValue: series.modality,
        CodingSchemeDesignator: 'DCM',
        CodeMeaning: series.modality === 'CT' ? 'Computed Tomography' : series.modality,
      }),
      ...(frameOfReference ? [uidref('HAS ACQ CONTEXT', CODES.frameOfReferenceUid, frameOfReference)] : []),
      ...source.instances.map((i) => ({
        RelationshipType: 'CONTAINS',
        ValueType: 'IMAGE',
        ReferencedSOPSequence: [
          { ReferencedSOPClassUID: i.sopClassUID, ReferencedSOPInstanceUID: i.sopInstanceUID },
        ],
      })),
    ]),
  ]);
  const groups = series.findings.flatMap((f) => measurementGroup(f, model, srUid, frameOfReference));
  const evaluations: Item[] = [
    ...(series.lungRads
      ? [
          code('CONTAINS', CODES.lungRads, lungRadsCode(series.lungRads.category)),
          text('CONTAINS', CODES.management, series.lungRads.management),
        ]
      : []),
    num(CODES.noduleCount, series.findings.length, CODES.noUnits),
    text('CONTAINS', CODES.comment, options.signed?.text ?? options.comment ?? DEFAULT_COMMENT[language]),
  ];
  const person = options.signed
    ? [
        code('HAS OBS CONTEXT', CODES.observerType, CODES.person),
        item('HAS OBS CONTEXT', 'PNAME', CODES.personObserverName, {
          PersonName: options.signed.reader.slice(0, 64),
        }),
      ]
    : [];
  return [
    code('HAS CONCEPT MOD', CODES.languageOfContent, languageCode(language)),
    ...person,
    code('HAS OBS CONTEXT', CODES.observerType, CODES.device),
    uidref(
      'HAS OBS CONTEXT',
      CODES.deviceObserverUid,
      derivedUid(`lucent-model|${model.id}|${model.sha256}`),
    ),
    text('HAS OBS CONTEXT', CODES.deviceObserverName, model.id),
    text('HAS OBS CONTEXT', CODES.deviceObserverManufacturer, 'Lucent'),
    text('HAS OBS CONTEXT', CODES.deviceObserverModelName, `${model.id} ${model.version}`),
    code('HAS CONCEPT MOD', CODES.procedureReported, CODES.ctChest),
    library,
    ...(groups.length > 0 ? [container(CODES.imagingMeasurements, groups)] : []),
    container(CODES.qualitativeEvaluations, evaluations),
  ];
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
const da = (d: Date): string => `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}`;
const tm = (d: Date): string => `${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`;

/**
 * The AI results of one analysed series as a DICOM Part 10 file (Comprehensive 3D SR, TID 1500).
 * Throws for a series no model ran on (skipped): there are no results to report.
 */
export function aiResultsSr(series: SrSeriesResult, options: AiSrOptions): Uint8Array {
  const model = series.model;
  if (!model) {
    throw new LucentError(
      'no-results',
      'This series was not analysed (no model applies), so it has no AI results.',
    );
  }
  const { source, created } = options;
  const { signed } = options;
  const uids = signed
    ? signedSrUids(series.seriesInstanceUID, signed)
    : aiSrUids(series.seriesInstanceUID, model);
  const evidence = [
    {
      StudyInstanceUID: series.studyInstanceUID,
      ReferencedSeriesSequence: [
        {
          SeriesInstanceUID: series.seriesInstanceUID,
          ReferencedSOPSequence: source.instances.map((i) => ({
            ReferencedSOPClassUID: i.sopClassUID,
            ReferencedSOPInstanceUID: i.sopInstanceUID,
          })),
        },
      ],
    },
  ];
  const dataset: Item = {
    SpecificCharacterSet: 'ISO_IR 192',
    InstanceCreationDate: da(created),
    InstanceCreationTime: tm(created),
    SOPClassUID: COMPREHENSIVE_3D_SR,
    SOPInstanceUID: uids.sopInstanceUID,
    StudyDate: source.study.date ?? '',
    ContentDate: da(created),
    StudyTime: source.study.time ?? '',
    ContentTime: tm(created),
    AccessionNumber: source.study.accessionNumber ?? '',
    Modality: 'SR',
    Manufacturer: 'Lucent',
    ReferringPhysicianName: '',
    StudyDescription: source.study.description ?? '',
    SeriesDescription: signed ? 'Lucent report (signed)' : aiSrDescription(model),
    ManufacturerModelName: 'Lucent',
    ReferencedPerformedProcedureStepSequence: [],
    PatientName: source.patient.name ?? '',
    PatientID: source.patient.id ?? '',
    PatientBirthDate: source.patient.birthDate ?? '',
    PatientSex: source.patient.sex ?? '',
    SoftwareVersions: options.software,
    StudyInstanceUID: series.studyInstanceUID,
    SeriesInstanceUID: uids.seriesInstanceUID,
    StudyID: source.study.id ?? '',
    SeriesNumber: '9901',
    InstanceNumber: '1',
    ValueType: 'CONTAINER',
    ConceptNameCodeSequence: codeSeq(CODES.imagingMeasurementReport),
    ContinuityOfContent: 'SEPARATE',
    ContentTemplateSequence: [{ MappingResource: 'DCMR', TemplateIdentifier: '1500' }],
    CompletionFlag: 'COMPLETE',
    VerificationFlag: signed ? 'VERIFIED' : 'UNVERIFIED',
    ...(signed
      ? {
          VerifyingObserverSequence: [
            {
              VerifyingObserverName: signed.reader.slice(0, 64),
              VerificationDateTime: `${da(signed.at)}${tm(signed.at)}`,
              VerifyingOrganization: signed.organization?.trim().slice(0, 64) || 'UNKNOWN',
              VerifyingObserverIdentificationCodeSequence: [],
            },
          ],
        }
      : {}),
    PreliminaryFlag: signed ? 'FINAL' : 'PRELIMINARY',
    CurrentRequestedProcedureEvidenceSequence: evidence,
    PerformedProcedureCodeSequence: [],
    CodingSchemeIdentificationSequence: [
      {
        CodingSchemeDesignator: PRIVATE_SCHEME,
        CodingSchemeName: 'Lucent AI result concepts',
        CodingSchemeResponsibleOrganization: 'Lucent',
      },
    ],
    ContentSequence: contentTree(series, model, options, uids.sopInstanceUID),
  };
  const { DicomDict, DicomMetaDictionary } = dcmjs.data;
  const meta = explicitLeMeta(COMPREHENSIVE_3D_SR, uids.sopInstanceUID, 'LUCENT_SR_1');
  const dict = new DicomDict(DicomMetaDictionary.denaturalizeDataset(meta));
  dict.dict = DicomMetaDictionary.denaturalizeDataset(dataset);
  return new Uint8Array(dict.write());
}
