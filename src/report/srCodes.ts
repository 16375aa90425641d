/**
 * Coded concepts of Lucent's AI results SR (PS3.16 DCM, SNOMED CT, UCUM). Where no standard code exists
 * (the model's score, Lung-RADS categories, nodule composition) the private scheme 99LUCENT is used, as
 * PS3.3 8.2 allows: its values are Lucent's own, never presented as standard terms.
 */
import type { NoduleType } from '../findings/types';
import type { Language } from '../i18n/language';

export interface Code {
  readonly CodeValue: string;
  readonly CodingSchemeDesignator: string;
  readonly CodeMeaning: string;
}

const dcm = (value: string, meaning: string): Code => ({
  CodeValue: value,
  CodingSchemeDesignator: 'DCM',
  CodeMeaning: meaning,
});
const sct = (value: string, meaning: string): Code => ({
  CodeValue: value,
  CodingSchemeDesignator: 'SCT',
  CodeMeaning: meaning,
});
const ucum = (value: string, meaning: string): Code => ({
  CodeValue: value,
  CodingSchemeDesignator: 'UCUM',
  CodeMeaning: meaning,
});
export const PRIVATE_SCHEME = '99LUCENT';
const own = (value: string, meaning: string): Code => ({
  CodeValue: value,
  CodingSchemeDesignator: PRIVATE_SCHEME,
  CodeMeaning: meaning,
});

export const CODES = {
  imagingMeasurementReport: dcm('126000', 'Imaging Measurement Report'),
  languageOfContent: dcm('121049', 'Language of Content Item and Descendants'),
  observerType: dcm('121005', 'Observer Type'),
  device: dcm('121007', 'Device'),
  person: dcm('121006', 'Person'),
  personObserverName: dcm('121008', 'Person Observer Name'),
  deviceObserverUid: dcm('121012', 'Device Observer UID'),
  deviceObserverName: dcm('121013', 'Device Observer Name'),
  deviceObserverManufacturer: dcm('121014', 'Device Observer Manufacturer'),
  deviceObserverModelName: dcm('121015', 'Device Observer Model Name'),
  procedureReported: dcm('121058', 'Procedure reported'),
  ctChest: sct('169069000', 'Computed tomography of chest'),
  imageLibrary: dcm('111028', 'Image Library'),
  imageLibraryGroup: dcm('126200', 'Image Library Group'),
  modality: dcm('121139', 'Modality'),
  frameOfReferenceUid: dcm('112227', 'Frame of Reference UID'),
  imagingMeasurements: dcm('126010', 'Imaging Measurements'),
  measurementGroup: dcm('125007', 'Measurement Group'),
  trackingIdentifier: dcm('112039', 'Tracking Identifier'),
  trackingUid: dcm('112040', 'Tracking Unique Identifier'),
  finding: dcm('121071', 'Finding'),
  nodule: sct('27925004', 'Nodule'),
  findingSite: sct('363698007', 'Finding Site'),
  lung: sct('39607008', 'Lung'),
  laterality: sct('272741003', 'Laterality'),
  right: sct('24028007', 'Right'),
  left: sct('7771000', 'Left'),
  algorithmName: dcm('111001', 'Algorithm Name'),
  algorithmVersion: dcm('111003', 'Algorithm Version'),
  longAxis: sct('103339001', 'Long Axis'),
  shortAxis: sct('103340004', 'Short Axis'),
  diameter: sct('81827009', 'Diameter'),
  derivation: dcm('121401', 'Derivation'),
  mean: sct('373098007', 'Mean'),
  volume: sct('118565006', 'Volume'),
  center: dcm('111010', 'Center'),
  qualitativeEvaluations: {
    CodeValue: 'C0034375',
    CodingSchemeDesignator: 'UMLS',
    CodeMeaning: 'Qualitative Evaluations',
  },
  comment: dcm('121106', 'Comment'),
  mm: ucum('mm', 'millimeter'),
  mm3: ucum('mm3', 'cubic millimeter'),
  noUnits: ucum('1', 'no units'),
  // Lucent's own concepts.
  score: own('score', 'AI score'),
  composition: own('composition', 'Nodule composition'),
  solidComponent: own('solid-component', 'Solid component diameter'),
  lungRads: own('lung-rads-2022', 'Lung-RADS v2022 category'),
  management: own('management', 'Recommended management'),
  noduleCount: own('nodule-count', 'Number of nodules found'),
} as const;

const TYPE_MEANINGS: Readonly<Record<NoduleType, string>> = {
  solid: 'Solid',
  'part-solid': 'Part-solid',
  'ground-glass': 'Ground-glass',
  calcified: 'Calcified',
};

export function compositionCode(type: NoduleType): Code {
  return own(`type-${type}`, TYPE_MEANINGS[type]);
}

export function lungRadsCode(category: string): Code {
  return own(`lung-rads-${category}`, `Lung-RADS ${category}`);
}

/** RFC 5646 language of the SR's text (the management and comment lines). */
export function languageCode(language: Language): Code {
  return language === 'zh-CN'
    ? { CodeValue: 'zh-CN', CodingSchemeDesignator: 'RFC5646', CodeMeaning: 'Chinese (China)' }
    : { CodeValue: 'en-US', CodingSchemeDesignator: 'RFC5646', CodeMeaning: 'English (United States)' };
}
