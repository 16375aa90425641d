/**
 * The fixed demo set: one normal chest and one case per nodule type, at a typical clinical protocol
 * (`clean`: supine head-first, no artefacts or other findings).
 * Generated on first start (not committed) and loaded by the app through the same DICOM path as any file.
 */
import type { CaseOptions } from './case';
import type { Scanner } from './scanner';

export const DEMO_SEED = 'lucent-demo-1';
/** The demo index's format (public/demo/index.json); the app lists no cases from an index of another. */
export const DEMO_INDEX_SCHEMA = 'lucent.demo/2';

const protocol: Partial<Scanner> = {
  matrix: 512,
  sliceThickness: 2.5,
  sliceSpacing: 2.5,
  kernel: 'standard',
  blurSigmaPx: 0.6,
  sharpen: 0.1,
  sharpenSigmaPx: 1.6,
  noiseSigma: 12,
  lowDose: false,
};

export interface DemoCase {
  readonly id: string;
  readonly index: number;
  readonly options: CaseOptions;
}

export const DEMO_CASES: readonly DemoCase[] = [
  {
    id: 'demo-normal',
    index: 0,
    options: { clean: true, label: 'DEMO-NORMAL', nodules: [], scanner: protocol },
  },
  {
    id: 'demo-solid',
    index: 1,
    options: {
      clean: true,
      label: 'DEMO-SOLID',
      nodules: [
        { type: 'solid', diameter: 19, margin: 'spiculated', location: 'intraparenchymal' },
        { type: 'solid', diameter: 9, margin: 'smooth', location: 'intraparenchymal' },
        { type: 'solid', diameter: 4.5, margin: 'smooth', location: 'juxtapleural' },
      ],
      scanner: protocol,
    },
  },
  {
    id: 'demo-part-solid',
    index: 2,
    options: {
      clean: true,
      label: 'DEMO-PART-SOLID',
      nodules: [{ type: 'part-solid', diameter: 16, margin: 'lobulated' }],
      scanner: protocol,
    },
  },
  {
    id: 'demo-ground-glass',
    index: 3,
    options: {
      clean: true,
      label: 'DEMO-GROUND-GLASS',
      nodules: [{ type: 'ground-glass', diameter: 14, margin: 'smooth' }],
      scanner: protocol,
    },
  },
  {
    id: 'demo-calcified',
    index: 4,
    options: {
      clean: true,
      label: 'DEMO-CALCIFIED',
      nodules: [{ type: 'calcified', diameter: 7, margin: 'smooth' }],
      scanner: protocol,
    },
  },
];
