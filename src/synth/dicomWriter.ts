/**
 * Writes CT Image Storage instances (explicit VR little endian, int16 with rescale) with dcmjs.
 * Used by the synthetic study generator, the test builders and the benchmarks.
 */
import dcmjs from 'dcmjs';
import { explicitLeMeta } from '../lib/fileMeta';

export const CT_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.2';

export interface CtSlice {
  readonly patientName: string;
  readonly patientId: string;
  readonly patientSex?: 'M' | 'F' | 'O';
  readonly patientAge?: string;
  readonly patientBirthDate?: string;
  readonly studyInstanceUID: string;
  readonly seriesInstanceUID: string;
  readonly sopInstanceUID: string;
  readonly frameOfReferenceUID: string;
  readonly studyDate: string;
  readonly studyTime: string;
  readonly studyId?: string;
  readonly accessionNumber?: string;
  readonly studyDescription?: string;
  readonly seriesDescription?: string;
  readonly seriesNumber: number;
  readonly instanceNumber: number;
  readonly bodyPartExamined?: string;
  readonly manufacturer?: string;
  readonly convolutionKernel?: string;
  readonly kvp?: number;
  readonly xRayTubeCurrent?: number;
  readonly rows: number;
  readonly columns: number;
  /** [row spacing, column spacing] in mm. */
  readonly pixelSpacing: readonly [number, number];
  readonly sliceThickness: number;
  readonly spacingBetweenSlices?: number;
  readonly imagePositionPatient: readonly [number, number, number];
  readonly imageOrientationPatient: readonly [number, number, number, number, number, number];
  /** HFS, FFS, HFP, FFP (default FFS, as before for the other callers). */
  readonly patientPosition?: string;
  readonly rescaleIntercept: number;
  readonly rescaleSlope: number;
  readonly windowCenter: number;
  readonly windowWidth: number;
  /** Stored values, row by row; HU = stored × slope + intercept. */
  readonly pixels: Int16Array;
}

const ds = (v: number): string => {
  // DS values are at most 16 characters.
  const s = Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(10)));
  return s.length <= 16 ? s : v.toExponential(8);
};

export function writeCtSlice(s: CtSlice): Uint8Array {
  const { DicomDict, DicomMetaDictionary } = dcmjs.data;
  const pixels = new Int16Array(s.pixels);
  if (pixels.length !== s.rows * s.columns) throw new Error('pixel count does not match rows × columns');
  const meta = explicitLeMeta(CT_IMAGE_STORAGE, s.sopInstanceUID, 'LUCENT_SYNTH_1');
  const dataset: Record<string, unknown> = {
    SpecificCharacterSet: 'ISO_IR 192',
    ImageType: ['DERIVED', 'SECONDARY', 'AXIAL'],
    SOPClassUID: CT_IMAGE_STORAGE,
    SOPInstanceUID: s.sopInstanceUID,
    StudyDate: s.studyDate,
    SeriesDate: s.studyDate,
    ContentDate: s.studyDate,
    StudyTime: s.studyTime,
    SeriesTime: s.studyTime,
    ContentTime: s.studyTime,
    AccessionNumber: s.accessionNumber ?? '',
    Modality: 'CT',
    Manufacturer: s.manufacturer ?? 'Lucent synthetic phantom',
    ReferringPhysicianName: '',
    StudyDescription: s.studyDescription ?? '',
    SeriesDescription: s.seriesDescription ?? '',
    PatientName: s.patientName,
    PatientID: s.patientId,
    PatientBirthDate: s.patientBirthDate ?? '',
    PatientSex: s.patientSex ?? 'O',
    ...(s.patientAge ? { PatientAge: s.patientAge } : {}),
    BodyPartExamined: s.bodyPartExamined ?? '',
    SliceThickness: ds(s.sliceThickness),
    ...(s.kvp !== undefined ? { KVP: ds(s.kvp) } : {}),
    ...(s.spacingBetweenSlices !== undefined ? { SpacingBetweenSlices: ds(s.spacingBetweenSlices) } : {}),
    ...(s.convolutionKernel ? { ConvolutionKernel: s.convolutionKernel } : {}),
    ...(s.xRayTubeCurrent !== undefined ? { XRayTubeCurrent: String(Math.round(s.xRayTubeCurrent)) } : {}),
    PatientPosition: s.patientPosition ?? 'FFS',
    StudyInstanceUID: s.studyInstanceUID,
    SeriesInstanceUID: s.seriesInstanceUID,
    StudyID: s.studyId ?? '1',
    SeriesNumber: String(s.seriesNumber),
    AcquisitionNumber: '1',
    InstanceNumber: String(s.instanceNumber),
    ImagePositionPatient: s.imagePositionPatient.map(ds),
    ImageOrientationPatient: s.imageOrientationPatient.map(ds),
    FrameOfReferenceUID: s.frameOfReferenceUID,
    PositionReferenceIndicator: '',
    SliceLocation: ds(s.imagePositionPatient[2]),
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    Rows: s.rows,
    Columns: s.columns,
    PixelSpacing: s.pixelSpacing.map(ds),
    BitsAllocated: 16,
    BitsStored: 16,
    HighBit: 15,
    PixelRepresentation: 1,
    WindowCenter: ds(s.windowCenter),
    WindowWidth: ds(s.windowWidth),
    RescaleIntercept: ds(s.rescaleIntercept),
    RescaleSlope: ds(s.rescaleSlope),
    RescaleType: 'HU',
  };
  const dict = new DicomDict(DicomMetaDictionary.denaturalizeDataset(meta));
  dict.dict = DicomMetaDictionary.denaturalizeDataset(dataset);
  // Pixel Data (7FE0,0010) is the dataset's last element: append it directly (explicit VR little endian,
  // OW) rather than copy half a megabyte through dcmjs's growing write buffer. Same bytes as dcmjs writes.
  const head = new Uint8Array(dict.write());
  const data = new Uint8Array(pixels.buffer, pixels.byteOffset, pixels.byteLength);
  const out = new Uint8Array(head.length + 12 + data.length);
  out.set(head, 0);
  const view = new DataView(out.buffer);
  let o = head.length;
  view.setUint16(o, 0x7fe0, true);
  view.setUint16(o + 2, 0x0010, true);
  out[o + 4] = 0x4f; // 'O'
  out[o + 5] = 0x57; // 'W'
  view.setUint16(o + 6, 0, true);
  view.setUint32(o + 8, data.length, true);
  o += 12;
  out.set(data, o);
  return out;
}
