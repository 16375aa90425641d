/**
 * Cornerstone metadata provider backed by the instance registry: Cornerstone sees the same attributes
 * Lucent's own parser read, with no second parse of the file.
 */
import type { FrameInfo, ImageInfo, InstanceInfo } from '../dicom/instance';
import { getInstance, parseImageId } from './registry';

type Module = Record<string, unknown> | undefined;

const DEFAULT_ORIENTATION = [1, 0, 0, 0, 1, 0] as const;

function planeModule(info: InstanceInfo, image: ImageInfo, frame: FrameInfo): Module {
  const orientation = frame.orientation ?? image.frames[0]?.orientation;
  const spacing = frame.pixelSpacing ?? image.pixelSpacing;
  const position = frame.position;
  const iop = orientation ?? DEFAULT_ORIENTATION;
  return {
    frameOfReferenceUID: info.frameOfReferenceUID ?? `lucent.${info.seriesInstanceUID}`,
    rows: image.rows,
    columns: image.columns,
    imageOrientationPatient: [...iop],
    rowCosines: iop.slice(0, 3),
    columnCosines: iop.slice(3, 6),
    imagePositionPatient: position ? [...position] : [0, 0, 0],
    sliceThickness: frame.sliceThickness ?? image.sliceThickness,
    sliceLocation: undefined,
    pixelSpacing: spacing ? [...spacing] : [1, 1],
    rowPixelSpacing: spacing ? spacing[0] : 1,
    columnPixelSpacing: spacing ? spacing[1] : 1,
    usingDefaultValues: !orientation || !position || !spacing,
  };
}

/** Native YBR_FULL_422 reaches the codec already expanded to YBR_FULL (see loader.ts). */
function displayedPhotometric(image: ImageInfo): string {
  const native = !image.pixelData.encapsulated;
  return native && image.photometricInterpretation === 'YBR_FULL_422'
    ? 'YBR_FULL'
    : image.photometricInterpretation;
}

function pixelModule(image: ImageInfo): Module {
  const palette = image.palette;
  return {
    samplesPerPixel: image.samplesPerPixel,
    photometricInterpretation: displayedPhotometric(image),
    rows: image.rows,
    columns: image.columns,
    bitsAllocated: image.bitsAllocated,
    bitsStored: image.bitsStored,
    highBit: image.highBit,
    pixelRepresentation: image.pixelRepresentation,
    planarConfiguration: image.planarConfiguration,
    pixelAspectRatio: undefined,
    smallestPixelValue: undefined,
    largestPixelValue: undefined,
    redPaletteColorLookupTableDescriptor: palette ? [...palette.red.descriptor] : undefined,
    greenPaletteColorLookupTableDescriptor: palette ? [...palette.green.descriptor] : undefined,
    bluePaletteColorLookupTableDescriptor: palette ? [...palette.blue.descriptor] : undefined,
    redPaletteColorLookupTableData: palette?.red.data,
    greenPaletteColorLookupTableData: palette?.green.data,
    bluePaletteColorLookupTableData: palette?.blue.data,
  };
}

/** The provider: `(type, imageId) → module`. Returns undefined for ids and modules it does not know. */
export function lucentMetadataProvider(type: string, imageId: string): Module {
  const ref = parseImageId(imageId);
  if (!ref) return undefined;
  const entry = getInstance(ref.key);
  if (!entry) return undefined;
  const info = entry.info;
  const image = info.image;
  const frame = image?.frames[ref.frame] ?? {};
  switch (type) {
    case 'generalSeriesModule':
      return {
        modality: info.modality,
        seriesInstanceUID: info.seriesInstanceUID,
        seriesNumber: info.seriesNumber,
        studyInstanceUID: info.studyInstanceUID,
        seriesDescription: info.seriesDescription,
      };
    case 'generalStudyModule':
      return { studyDescription: info.studyDescription, studyDate: info.studyDate };
    case 'generalImageModule':
      return {
        sopInstanceUID: info.sopInstanceUID,
        instanceNumber: info.instanceNumber,
        lossyImageCompression: image?.lossy ? '01' : '00',
      };
    case 'sopCommonModule':
      return { sopClassUID: info.sopClassUID, sopInstanceUID: info.sopInstanceUID };
    case 'transferSyntax':
      return { transferSyntaxUID: info.transferSyntaxUID };
    case 'imagePlaneModule':
      return image ? planeModule(info, image, frame) : undefined;
    case 'imagePixelModule':
      return image ? pixelModule(image) : undefined;
    case 'modalityLutModule':
      return image
        ? {
            rescaleIntercept: frame.rescaleIntercept ?? image.rescaleIntercept,
            rescaleSlope: frame.rescaleSlope ?? image.rescaleSlope,
            rescaleType: image.rescaleType,
            modalityLUTSequence: undefined,
          }
        : undefined;
    case 'voiLutModule': {
      if (!image) return undefined;
      const centers = frame.windowCenter !== undefined ? [frame.windowCenter] : [...image.windowCenter];
      const widths = frame.windowWidth !== undefined ? [frame.windowWidth] : [...image.windowWidth];
      if (centers.length === 0 || widths.length === 0) return { voiLUTFunction: image.voiLutFunction };
      return { windowCenter: centers, windowWidth: widths, voiLUTFunction: image.voiLutFunction };
    }
    case 'multiframeModule':
      return image
        ? { NumberOfFrames: image.numberOfFrames, numberOfFrames: image.numberOfFrames }
        : undefined;
    case 'instance':
      return {
        Modality: info.modality,
        SeriesInstanceUID: info.seriesInstanceUID,
        SOPClassUID: info.sopClassUID,
        SOPInstanceUID: info.sopInstanceUID,
        NumberOfFrames: image?.numberOfFrames,
      };
    default:
      return undefined;
  }
}
