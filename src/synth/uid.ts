/**
 * Deterministic DICOM UIDs under the 2.25 root (PS3.5 B.2: a UUID-derived integer), from a seed string.
 * Same seed, same UID; no registry needed.
 */
function fnv1a64(text: string, seed: bigint): bigint {
  let h = 0xcbf29ce484222325n ^ seed;
  for (let i = 0; i < text.length; i++) {
    h ^= BigInt(text.charCodeAt(i));
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return h;
}

export function uidFrom(seed: string): string {
  const hi = fnv1a64(seed, 0x9e3779b97f4a7c15n);
  const lo = fnv1a64(seed, 0x632be59bd9b4e019n);
  // 122 random bits like a v4 UUID, rendered as a decimal integer without leading zeros.
  const value = ((hi << 64n) | lo) & ((1n << 122n) - 1n);
  return `2.25.${(value | 1n).toString()}`;
}
