/**
 * From a parsed file to an {@link InstanceInfo}: the plain, serialisable record of one DICOM instance
 * that the rest of Lucent works with (series assembly, Cornerstone metadata, the CLI).
 */
import { type DataSet, DicomError, type ParsedFile, type PixelDataLocation } from './parse';
import { T, formatTag } from './tags';
import { j2kSignMismatch } from './codestream';
import type { Vec3 } from './geometry';
import { sliceNormal } from '../lib/volume';
import {
  JPEG2000,
  JPEG2000_LOSSLESS,
  JPEG_FULL_PROGRESSION,
  JPEG_SPECTRAL_SELECTION,
  LOSSY,
} from './transferSyntax';

export type ObjectKind = 'image' | 'non-image';

export interface PatientInfo {
  readonly name?: string;
  readonly id?: string;
  readonly birthDate?: string;
  readonly sex?: string;
  /** Age in years, from PatientAge (AS) or computed from birth and study dates. */
  readonly ageYears?: number;
}

export interface FrameInfo {
  readonly position?: Vec3;
  readonly orientation?: readonly [number, number, number, number, number, number];
  readonly pixelSpacing?: readonly [number, number];
  readonly sliceThickness?: number;
  readonly rescaleSlope?: number;
  readonly rescaleIntercept?: number;
  readonly windowCenter?: number;
  readonly windowWidth?: number;
}

export interface PaletteInfo {
  readonly red: { descriptor: readonly number[]; data: Uint16Array | Uint8Array };
  readonly green: { descriptor: readonly number[]; data: Uint16Array | Uint8Array };
  readonly blue: { descriptor: readonly number[]; data: Uint16Array | Uint8Array };
}

export interface ImageInfo {
  readonly rows: number;
  readonly columns: number;
  readonly samplesPerPixel: number;
  readonly photometricInterpretation: string;
  readonly planarConfiguration: number;
  readonly bitsAllocated: number;
  readonly bitsStored: number;
  readonly highBit: number;
  readonly pixelRepresentation: number;
  readonly numberOfFrames: number;
  /** [row spacing, column spacing] in mm, when known. */
  readonly pixelSpacing?: readonly [number, number];
  readonly sliceThickness?: number;
  readonly spacingBetweenSlices?: number;
  readonly rescaleSlope: number;
  readonly rescaleIntercept: number;
  readonly rescaleType?: string;
  readonly windowCenter: readonly number[];
  readonly windowWidth: readonly number[];
  readonly voiLutFunction?: string;
  readonly lossy: boolean;
  /** Per-frame geometry; length equals `numberOfFrames`. */
  readonly frames: readonly FrameInfo[];
  readonly palette?: PaletteInfo;
  readonly pixelData: PixelDataLocation;
}

export interface InstanceInfo {
  readonly sopClassUID: string;
  readonly sopInstanceUID: string;
  readonly studyInstanceUID: string;
  readonly seriesInstanceUID: string;
  readonly modality: string;
  readonly kind: ObjectKind;
  /** Short label for non-image objects (SR, SEG, PDF, RTSTRUCT, ECG, …) or the modality for images. */
  readonly label: string;
  readonly transferSyntaxUID: string;
  readonly seriesDescription?: string;
  readonly seriesNumber?: number;
  readonly studyDescription?: string;
  readonly studyDate?: string;
  readonly studyTime?: string;
  readonly accessionNumber?: string;
  readonly bodyPartExamined?: string;
  readonly instanceNumber?: number;
  readonly acquisitionNumber?: number;
  readonly frameOfReferenceUID?: string;
  readonly imageType: readonly string[];
  readonly manufacturer?: string;
  readonly patient: PatientInfo;
  readonly image?: ImageInfo;
}

const SOP = '1.2.840.10008.5.1.4.1.1.';
/** Storage classes that carry no displayable image, with the label they are listed under. */
function nonImageLabel(sopClassUID: string): string | undefined {
  if (sopClassUID === '1.2.840.10008.1.3.10') return 'DICOMDIR';
  if (!sopClassUID.startsWith(SOP)) return undefined;
  const rest = sopClassUID.slice(SOP.length);
  const first = rest.split('.')[0];
  if (rest === '88.59') return 'KO';
  if (first === '88') return 'SR';
  if (rest === '66.4') return 'SEG';
  if (first === '66') return 'OT';
  if (rest === '104.1') return 'PDF';
  if (first === '104') return 'DOC';
  if (first === '9') return 'ECG';
  if (first === '11') return 'PR';
  if (rest === '481.3') return 'RTSTRUCT';
  if (rest === '481.5' || rest === '481.8') return 'RTPLAN';
  if (first === '481' && !['481.1', '481.2'].includes(rest)) return 'RT';
  if (rest === '67' || first === '68') return 'OT';
  return undefined;
}

/** Storage classes that must carry pixel data (PS3.4 B.5): images, multi-frame images, RT Image/Dose. */
const IMAGE_CLASS_PREFIXES = [
  '1', '1.1', '1.1.1', '1.2', '1.2.1', '1.3', '1.3.1', '2', '2.1', '2.2', '3.1', '4', '4.1', '4.2', '4.3', '4.4',
  '6.1', '6.2', '7', '7.1', '7.2', '7.3', '7.4', '12.1', '12.1.1', '12.2', '12.2.1', '13.1.3', '13.1.4', '13.1.5',
  '20', '30', '77.1', '128', '128.1', '130', '481.1', '481.2',
]; // prettier-ignore

function isImageClass(sopClassUID: string): boolean {
  if (!sopClassUID.startsWith(SOP)) return false;
  const rest = sopClassUID.slice(SOP.length);
  return IMAGE_CLASS_PREFIXES.some((p) => rest === p || (p === '77.1' && rest.startsWith('77.1.')));
}

function str(ds: DataSet, t: number): string | undefined {
  const v = ds.string(t);
  return v === undefined || v === '' ? undefined : v;
}

function strictInt(ds: DataSet, t: number, name: string): number | undefined {
  const s = ds.string(t);
  if (s === undefined || s === '') return undefined;
  const e = ds.elements.get(t);
  if (e && e.vr !== 'IS' && e.vr !== 'UN' && e.vr !== 'DS') return ds.number(t);
  if (!/^\s*[+-]?\d+\s*$/.test(s.split('\\')[0] ?? '')) {
    throw new DicomError('invalid-attribute', `${name} ${formatTag(t)} is "${s}", which is not an integer.`, {
      kind: 'not-integer',
      attribute: name,
      tag: formatTag(t),
      value: s,
    });
  }
  return Number(s.split('\\')[0]);
}

function vec(ds: DataSet, t: number, n: number): number[] | undefined {
  const v = ds.numbers(t);
  if (v.length < n || v.slice(0, n).some((x) => !Number.isFinite(x))) return undefined;
  return v.slice(0, n);
}

function parseAge(as: string | undefined): number | undefined {
  const m = as ? /^(\d{1,3})([DWMY])$/.exec(as.trim()) : null;
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = m[2];
  return unit === 'Y' ? n : unit === 'M' ? n / 12 : unit === 'W' ? n / 52.18 : n / 365.25;
}

function ageFromDates(birth: string | undefined, study: string | undefined): number | undefined {
  if (!birth || !study || !/^\d{8}$/.test(birth) || !/^\d{8}$/.test(study)) return undefined;
  const y = (s: string): number => Number(s.slice(0, 4));
  const md = (s: string): number => Number(s.slice(4));
  const age = y(study) - y(birth) - (md(study) < md(birth) ? 1 : 0);
  return age >= 0 && age < 130 ? age : undefined;
}

function frameFromGroups(groups: readonly DataSet[]): FrameInfo {
  let f: {
    -readonly [K in keyof FrameInfo]: FrameInfo[K];
  } = {};
  for (const g of groups) {
    const pos = g.sequence(T.PlanePositionSequence)[0];
    const ori = g.sequence(T.PlaneOrientationSequence)[0];
    const pm = g.sequence(T.PixelMeasuresSequence)[0];
    const pvt = g.sequence(T.PixelValueTransformationSequence)[0];
    const voi = g.sequence(T.FrameVOILUTSequence)[0];
    const p = pos && vec(pos, T.ImagePositionPatient, 3);
    const o = ori && vec(ori, T.ImageOrientationPatient, 6);
    const ps = pm && vec(pm, T.PixelSpacing, 2);
    f = {
      ...f,
      ...(p ? { position: p as unknown as Vec3 } : {}),
      ...(o ? { orientation: o as unknown as FrameInfo['orientation'] } : {}),
      ...(ps ? { pixelSpacing: [ps[0], ps[1]] as const } : {}),
      ...(pm?.number(T.SliceThickness) !== undefined ? { sliceThickness: pm.number(T.SliceThickness) } : {}),
      ...(pvt?.number(T.RescaleSlope) !== undefined ? { rescaleSlope: pvt.number(T.RescaleSlope) } : {}),
      ...(pvt?.number(T.RescaleIntercept) !== undefined
        ? { rescaleIntercept: pvt.number(T.RescaleIntercept) }
        : {}),
      ...(voi?.number(T.WindowCenter) !== undefined ? { windowCenter: voi.number(T.WindowCenter) } : {}),
      ...(voi?.number(T.WindowWidth) !== undefined ? { windowWidth: voi.number(T.WindowWidth) } : {}),
    };
  }
  return f;
}

function paletteOf(ds: DataSet): PaletteInfo | undefined {
  const one = (
    d: number,
    t: number,
  ): { descriptor: number[]; data: Uint16Array | Uint8Array } | undefined => {
    const descriptor = ds.numbers(d);
    const raw = ds.raw(t);
    if (descriptor.length < 3 || !raw) return undefined;
    const bits = descriptor[2];
    const copy = raw.slice();
    const data =
      bits === 16 || copy.length === 2 * (descriptor[0] || 65536)
        ? new Uint16Array(copy.buffer, 0, Math.floor(copy.length / 2))
        : copy;
    if (data instanceof Uint16Array && !ds.littleEndian) {
      for (let i = 0; i < data.length; i++) {
        const v = data[i];
        data[i] = ((v & 0xff) << 8) | (v >> 8);
      }
    }
    return { descriptor, data };
  };
  const red = one(T.RedPaletteDescriptor, T.RedPaletteData);
  const green = one(T.GreenPaletteDescriptor, T.GreenPaletteData);
  const blue = one(T.BluePaletteDescriptor, T.BluePaletteData);
  return red && green && blue ? { red, green, blue } : undefined;
}

function imageInfo(ds: DataSet, pixel: PixelDataLocation, transferSyntaxUID: string): ImageInfo {
  const rows = ds.number(T.Rows);
  const columns = ds.number(T.Columns);
  const bitsAllocated = ds.number(T.BitsAllocated);
  if (!rows || !columns) {
    throw new DicomError(
      'invalid-attribute',
      'The image has no valid Rows (0028,0010) or Columns (0028,0011).',
      { kind: 'no-size' },
    );
  }
  if (!bitsAllocated) {
    throw new DicomError('invalid-attribute', 'The image has no valid Bits Allocated (0028,0100).', {
      kind: 'no-bits',
    });
  }
  const numberOfFrames = strictInt(ds, T.NumberOfFrames, 'Number of Frames') ?? 1;
  if (numberOfFrames < 1) {
    throw new DicomError('invalid-attribute', `Number of Frames (0028,0008) is ${numberOfFrames}.`, {
      kind: 'frame-count',
      frames: numberOfFrames,
    });
  }
  const samplesPerPixel = ds.number(T.SamplesPerPixel) ?? 1;
  const photometric = str(ds, T.PhotometricInterpretation) ?? (samplesPerPixel === 3 ? 'RGB' : 'MONOCHROME2');
  if (!pixel.encapsulated && pixel.tag === T.PixelData) {
    const expected =
      numberOfFrames * nativeFrameBytes(rows, columns, samplesPerPixel, bitsAllocated, photometric);
    if (pixel.length < expected) {
      throw new DicomError(
        'truncated',
        `Pixel Data holds ${pixel.length} bytes but ${rows}×${columns}×${samplesPerPixel}×${numberOfFrames} frames at ${bitsAllocated} bits need ${expected}.`,
        {
          kind: 'pixel-short',
          have: pixel.length,
          need: expected,
          rows,
          columns,
          samples: samplesPerPixel,
          frames: numberOfFrames,
          bits: bitsAllocated,
        },
      );
    }
  }
  const shared = ds.sequence(T.SharedFunctionalGroupsSequence)[0];
  const perFrame = ds.sequence(T.PerFrameFunctionalGroupsSequence);
  const ipp = vec(ds, T.ImagePositionPatient, 3) as Vec3 | undefined;
  const iop = vec(ds, T.ImageOrientationPatient, 6) as FrameInfo['orientation'] | undefined;
  const ps = vec(ds, T.PixelSpacing, 2);
  const pixelSpacing = ps ? ([ps[0], ps[1]] as const) : undefined;
  const frames: FrameInfo[] = [];
  const gfov = ds.numbers(T.GridFrameOffsetVector).filter(Number.isFinite);
  for (let i = 0; i < numberOfFrames; i++) {
    if (shared || perFrame.length > 0) {
      const groups = [shared, perFrame[i]].filter((g): g is DataSet => g !== undefined);
      const f = frameFromGroups(groups);
      frames.push({
        ...f,
        position: f.position ?? (numberOfFrames === 1 ? ipp : undefined),
        orientation: f.orientation ?? iop,
        pixelSpacing: f.pixelSpacing ?? pixelSpacing,
      });
    } else if (ipp && iop && gfov.length === numberOfFrames) {
      const n = sliceNormal(iop);
      const d = gfov[i] - gfov[0];
      frames.push({ position: [ipp[0] + n[0] * d, ipp[1] + n[1] * d, ipp[2] + n[2] * d], orientation: iop });
    } else {
      frames.push({ position: numberOfFrames === 1 ? ipp : undefined, orientation: iop });
    }
  }
  const first = frames[0] ?? {};
  const doseScaling = ds.number(T.DoseGridScaling);
  const slope = ds.number(T.RescaleSlope) ?? first.rescaleSlope ?? doseScaling ?? 1;
  const palette = photometric === 'PALETTE COLOR' ? paletteOf(ds) : undefined;
  return {
    rows,
    columns,
    samplesPerPixel,
    photometricInterpretation: photometric,
    planarConfiguration: ds.number(T.PlanarConfiguration) ?? 0,
    bitsAllocated,
    bitsStored: ds.number(T.BitsStored) ?? bitsAllocated,
    highBit: ds.number(T.HighBit) ?? (ds.number(T.BitsStored) ?? bitsAllocated) - 1,
    pixelRepresentation: ds.number(T.PixelRepresentation) ?? 0,
    numberOfFrames,
    pixelSpacing: first.pixelSpacing ?? pixelSpacing,
    sliceThickness: ds.number(T.SliceThickness) ?? first.sliceThickness,
    spacingBetweenSlices: ds.number(T.SpacingBetweenSlices),
    rescaleSlope: slope === 0 ? 1 : slope,
    rescaleIntercept: ds.number(T.RescaleIntercept) ?? first.rescaleIntercept ?? 0,
    rescaleType: str(ds, T.RescaleType),
    windowCenter: ds.numbers(T.WindowCenter).filter(Number.isFinite).length
      ? ds.numbers(T.WindowCenter).filter(Number.isFinite)
      : first.windowCenter !== undefined
        ? [first.windowCenter]
        : [],
    windowWidth: ds.numbers(T.WindowWidth).filter(Number.isFinite).length
      ? ds.numbers(T.WindowWidth).filter(Number.isFinite)
      : first.windowWidth !== undefined
        ? [first.windowWidth]
        : [],
    voiLutFunction: str(ds, T.VOILUTFunction),
    lossy: ds.string(T.LossyImageCompression) === '01' || LOSSY.has(transferSyntaxUID),
    frames,
    palette,
    pixelData: pixel,
  };
}

/** Bytes of one native frame. YBR_FULL_422 stores two samples per pixel (chroma subsampled). */
export function nativeFrameBytes(
  rows: number,
  columns: number,
  samplesPerPixel: number,
  bitsAllocated: number,
  photometric: string,
): number {
  const samples = photometric === 'YBR_FULL_422' ? 2 : samplesPerPixel;
  return Math.ceil((rows * columns * samples * bitsAllocated) / 8);
}

const JPEG_PROGRESSIVE = [JPEG_SPECTRAL_SELECTION, JPEG_FULL_PROGRESSION];

/**
 * Images the browser codecs cannot show faithfully are refused with a reason rather than shown wrong:
 * colour with more than 8 bits per sample, and 12-bit progressive JPEG (the browser decoder adds a
 * level-shift error of about 15 to every 12-bit pixel; sequential 12-bit JPEG goes to Lucent's own
 * decoder in dicom/jpeg instead).
 */
function refuseUndisplayable(image: ImageInfo, transferSyntaxUID: string): void {
  if (image.samplesPerPixel > 1 && image.bitsAllocated > 8) {
    throw new DicomError(
      'unsupported-pixel-format',
      `Colour images with ${image.bitsAllocated} bits per sample cannot be displayed (only 8-bit colour is supported).`,
      { kind: 'colour-depth', bitsAllocated: image.bitsAllocated },
    );
  }
  if (JPEG_PROGRESSIVE.includes(transferSyntaxUID) && image.bitsStored > 8) {
    throw new DicomError(
      'unsupported-transfer-syntax',
      `12-bit progressive JPEG (${transferSyntaxUID}) cannot be decoded accurately in the browser, so it is not displayed.`,
      { kind: 'progressive-12-bit', transferSyntax: transferSyntaxUID },
    );
  }
}

/** When the whole file was read, check what the codestream says against the header. */
function refuseInconsistentCodestream(file: ParsedFile, image: ImageInfo): void {
  const px = file.pixelData;
  const second = px?.fragments?.[1];
  if (!px?.encapsulated || !second || !J2K_SYNTAXES.has(file.transferSyntax.uid)) return;
  const bytes = px.inline ?? file.dataset.bytes;
  const refused = j2kSignMismatch(bytes.subarray(second.offset, second.offset + second.length), image);
  if (refused) throw refused;
}

const J2K_SYNTAXES = new Set([JPEG2000_LOSSLESS, JPEG2000]);

/**
 * Describe one parsed file. Throws {@link DicomError} when the file cannot be placed in a series or,
 * for images, cannot be displayed (missing pixel data, undecodable transfer syntax, bad attributes).
 */
export function describeInstance(file: ParsedFile): InstanceInfo {
  const ds = file.dataset;
  const sopClassUID =
    str(ds, T.SOPClassUID) ?? (file.meta && str(file.meta, T.MediaStorageSOPClassUID)) ?? '';
  const sopInstanceUID =
    str(ds, T.SOPInstanceUID) ?? (file.meta && str(file.meta, T.MediaStorageSOPInstanceUID)) ?? '';
  const label = nonImageLabel(sopClassUID);
  const isDicomdir = label === 'DICOMDIR' || ds.has(T.DirectoryRecordSequence);
  const studyInstanceUID = str(ds, T.StudyInstanceUID);
  const seriesInstanceUID = str(ds, T.SeriesInstanceUID);
  if (!isDicomdir) {
    const missing = [
      !sopInstanceUID && 'SOP Instance UID (0008,0018)',
      !studyInstanceUID && 'Study Instance UID (0020,000D)',
      !seriesInstanceUID && 'Series Instance UID (0020,000E)',
    ].filter((m): m is string => typeof m === 'string');
    if (missing.length > 0) {
      throw new DicomError(
        'invalid-attribute',
        `The dataset has no ${missing.join(', ')}, so it cannot be placed in a study and series.`,
        { kind: 'no-uids', attributes: missing.join(', '), missing: missing.length },
      );
    }
  }
  const modality = str(ds, T.Modality) ?? (isDicomdir ? 'DICOMDIR' : 'OT');
  const hasPixels = file.pixelData !== null;
  const hasImageAttributes = ds.has(T.Rows) && ds.has(T.Columns);
  let kind: ObjectKind = 'non-image';
  let image: ImageInfo | undefined;
  if (!label && !isDicomdir && (hasPixels || hasImageAttributes || isImageClass(sopClassUID))) {
    if (!file.pixelData) {
      throw new DicomError(
        'no-pixel-data',
        'The file is an image object but has no Pixel Data (7FE0,0010): there is nothing to display.',
        { kind: 'missing' },
      );
    }
    if (file.pixelData.encapsulated && !file.transferSyntax.decodable) {
      throw new DicomError(
        'unsupported-transfer-syntax',
        `The pixel data is encoded as ${file.transferSyntax.name}, which Lucent cannot decode.`,
        { kind: 'not-decodable', transferSyntax: file.transferSyntax.uid, name: file.transferSyntax.name },
      );
    }
    kind = 'image';
    image = imageInfo(ds, file.pixelData, file.transferSyntax.uid);
    refuseUndisplayable(image, file.transferSyntax.uid);
    refuseInconsistentCodestream(file, image);
  }
  const birthDate = str(ds, T.PatientBirthDate);
  const studyDate = str(ds, T.StudyDate);
  const ageYears = parseAge(str(ds, T.PatientAge)) ?? ageFromDates(birthDate, studyDate);
  return {
    sopClassUID,
    sopInstanceUID: sopInstanceUID || `dicomdir-${sopClassUID}`,
    studyInstanceUID: studyInstanceUID ?? 'DICOMDIR',
    seriesInstanceUID: seriesInstanceUID ?? 'DICOMDIR',
    modality,
    kind,
    label: label ?? (isDicomdir ? 'DICOMDIR' : modality),
    transferSyntaxUID: file.transferSyntax.uid,
    seriesDescription: str(ds, T.SeriesDescription),
    seriesNumber: ds.number(T.SeriesNumber),
    studyDescription: str(ds, T.StudyDescription),
    studyDate,
    studyTime: str(ds, T.StudyTime),
    accessionNumber: str(ds, T.AccessionNumber),
    bodyPartExamined: str(ds, T.BodyPartExamined),
    instanceNumber: ds.number(T.InstanceNumber),
    acquisitionNumber: ds.number(T.AcquisitionNumber),
    frameOfReferenceUID: str(ds, T.FrameOfReferenceUID),
    imageType: ds.strings(T.ImageType),
    manufacturer: str(ds, T.Manufacturer),
    patient: {
      name: str(ds, T.PatientName),
      id: str(ds, T.PatientID),
      birthDate,
      sex: str(ds, T.PatientSex),
      ageYears,
    },
    image,
  };
}
