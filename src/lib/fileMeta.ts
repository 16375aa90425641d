/**
 * What every DICOM file Lucent writes says of itself in its File Meta Information: Lucent's
 * implementation class UID, and (for files written through dcmjs) the meta group for explicit VR little
 * endian.
 */
/** Explicit VR Little Endian (as dicom/transferSyntax's EXPLICIT_LE; lib/ imports no other folder). */
const EXPLICIT_LE = '1.2.840.10008.1.2.1';

/** Lucent's Implementation Class UID (a 2.25 UUID-derived root), the same for every writer. */
export const IMPLEMENTATION_CLASS_UID = '2.25.223306845911342016823962880493113389843';

/** The File Meta Information of a file written in explicit VR little endian, as dcmjs's writer takes it. */
export function explicitLeMeta(
  sopClassUID: string,
  sopInstanceUID: string,
  implementationVersionName: string,
): Record<string, unknown> {
  return {
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: sopClassUID,
    MediaStorageSOPInstanceUID: sopInstanceUID,
    TransferSyntaxUID: EXPLICIT_LE,
    ImplementationClassUID: IMPLEMENTATION_CLASS_UID,
    ImplementationVersionName: implementationVersionName,
  };
}
