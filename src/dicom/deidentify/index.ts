/**
 * De-identification (DICOM PS3.15 Annex E Basic Profile) for every export of Lucent: see
 * `../README.md` ("De-identification") for the API and the rules.
 */
export {
  createDeidentifier,
  DeidentifyError,
  type DeidentifiedFile,
  type Deidentifier,
  type DeidentifyErrorCode,
  type DeidentifyOptions,
} from './deidentify';
export { cleanText, shiftValues } from './values';
export { PROFILE, SAFE_PRIVATE, actionFor, type Action, type ProfileCode, type ProfileRow } from './profile';
export {
  concatChunks,
  exportSeriesZip,
  seriesZip,
  type LeftOutFile,
  type SeriesExportCode,
  type SeriesExportOptions,
  type SeriesExportSummary,
  type SeriesZip,
} from './seriesZip';
