// Fetch the real DICOM fixtures once before any test file runs.
import { pydicomTestFiles } from './fixtures.mjs';

export default function setup(): void {
  process.env['LUCENT_PYDICOM_DIR'] = pydicomTestFiles();
}
