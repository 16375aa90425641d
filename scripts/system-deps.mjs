// The Debian packages the test suite needs, and a check that installs them (as root on Debian) or stops
// with one line naming what to install.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const PACKAGES = [
  { pkg: 'chromium', check: () => existsSync('/usr/bin/chromium') },
  { pkg: 'orthanc', check: () => existsSync('/usr/sbin/Orthanc') },
  { pkg: 'orthanc-dicomweb', check: () => existsSync('/usr/share/orthanc/plugins/libOrthancDicomWeb.so') },
  { pkg: 'dcmtk', check: () => spawnSync('dcmdump', ['--version']).status === 0 },
  { pkg: 'dicom3tools', check: () => existsSync('/usr/bin/dciodvfy') },
  { pkg: 'redis-server', check: () => existsSync('/usr/bin/redis-server') },
  {
    pkg: 'python3-pydicom python3-numpy python3-gdcm python3-pil',
    check: () =>
      spawnSync('/usr/bin/python3', ['-c', 'import pydicom, numpy, gdcm, PIL'], { stdio: 'ignore' })
        .status === 0,
  },
  // The training recipe's own tests (hard negatives, placement, the second training generator) run it.
  {
    pkg: 'python3-torch',
    check: () => spawnSync('/usr/bin/python3', ['-c', 'import torch'], { stdio: 'ignore' }).status === 0,
  },
];

export function missingPackages() {
  return PACKAGES.filter((p) => !p.check()).flatMap((p) => p.pkg.split(' '));
}

export function ensureSystemPackages() {
  const missing = missingPackages();
  if (missing.length === 0) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const hasApt = existsSync('/usr/bin/apt-get');
  if (!isRoot || !hasApt) {
    console.error(`lucent: the tests need these Debian packages: apt-get install ${missing.join(' ')}`);
    process.exit(1);
  }
  console.log(`Installing test dependencies: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], {
    stdio: 'inherit',
    env,
  });
}
