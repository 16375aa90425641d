// pydicom (Debian's python3-pydicom with its GDCM/Pillow/NumPy handlers) as an independent pixel
// decoder: the stored values of every frame of a file, before rescaling.
import { execFileSync } from 'node:child_process';

const SCRIPT = `
import sys, warnings
import numpy as np
import pydicom
warnings.filterwarnings("ignore")
ds = pydicom.dcmread(sys.argv[1])
a = np.asarray(ds.pixel_array)
frames = int(getattr(ds, "NumberOfFrames", 1) or 1)
sys.stdout.buffer.write(np.array([frames], dtype="<i4").tobytes())
sys.stdout.buffer.write(a.astype("<i4").tobytes())
`;

/** Stored values (Int32, frame after frame, row-major, samples interleaved) and the frame count. */
export function pydicomPixels(path: string): { frames: number; values: Int32Array } {
  const out = execFileSync('/usr/bin/python3', ['-c', SCRIPT, path], {
    maxBuffer: 256 << 20,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const all = new Int32Array(out.buffer, out.byteOffset, out.byteLength / 4);
  return { frames: all[0] ?? 0, values: all.slice(1) };
}
