/**
 * De-identification (DICOM PS3.15 Annex E Basic Profile) for every export of Lucent: see
 * `../README.md` ("De-identification") for the API and the rules.
 */
export {
  cleanText,
  createDeidentifier,
  DeidentifyError,
  shiftValues,
  type DeidentifiedFile,
  type Deidentifier,
  type DeidentifyErrorCode,
  type DeidentifyOptions,
} from './deidentify';
export { PROFILE, SAFE_PRIVATE, actionFor, type Action, type ProfileCode, type ProfileRow } from './profile';
