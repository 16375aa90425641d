// Real DICOM test files from Debian's python3-pydicom package, fetched with `apt-get download` and
// unpacked with `dpkg -x` into .cache/ (never committed). Used by unit and end-to-end tests.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const cacheDir = join(root, '.cache');
export const pydicomDir = join(cacheDir, 'pydicom');

/** Find the unpacked test_files folder, whatever Python version path the package uses. */
function findTestFiles(base) {
  const lib = join(base, 'usr/lib/python3/dist-packages/pydicom/data/test_files');
  return existsSync(lib) ? lib : null;
}

export function pydicomTestFiles() {
  const found = findTestFiles(pydicomDir);
  if (found) return found;
  mkdirSync(pydicomDir, { recursive: true });
  const work = join(cacheDir, 'deb');
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  try {
    execFileSync('apt-get', ['download', 'python3-pydicom'], { cwd: work, stdio: 'pipe' });
  } catch (e) {
    throw new Error(
      `Could not fetch the pydicom test files with "apt-get download python3-pydicom" (${e.stderr?.toString().trim() || e.message}). Run "apt-get update" first.`,
      { cause: e },
    );
  }
  const deb = readdirSync(work).find((f) => f.endsWith('.deb'));
  if (!deb) throw new Error('apt-get download python3-pydicom produced no .deb file');
  execFileSync('dpkg', ['-x', join(work, deb), pydicomDir], { stdio: 'pipe' });
  rmSync(work, { recursive: true, force: true });
  const dir = findTestFiles(pydicomDir);
  if (!dir) throw new Error('python3-pydicom package did not contain pydicom/data/test_files');
  return dir;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(pydicomTestFiles());
}
