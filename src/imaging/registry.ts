/**
 * Instance registry (browser host).
 *
 * Ownership and lifetime: owned by `imaging/`. Holds, per loaded instance key, the instance description
 * and the byte source its pixels are read from (a File, or a Blob made from a zip entry or a DICOMweb
 * download). Entries live until `clearInstances()` (a new study replaces the old one). The zustand store
 * holds only keys and small summaries; the Cornerstone metadata provider and image loader read from here.
 */
import type { InstanceInfo } from '../dicom/instance';
import type { ByteSource } from '../dicom/source';

export interface RegisteredInstance {
  readonly key: string;
  readonly fileName: string;
  readonly info: InstanceInfo;
  readonly source: ByteSource;
}

const instances = new Map<string, RegisteredInstance>();

export function registerInstance(entry: RegisteredInstance): void {
  instances.set(entry.key, entry);
}

export function getInstance(key: string): RegisteredInstance | undefined {
  return instances.get(key);
}

export function clearInstances(): void {
  instances.clear();
}

export function instanceCount(): number {
  return instances.size;
}

/** Cornerstone image id for a frame of an instance. Contains no patient data. */
export function imageIdOf(key: string, frame: number): string {
  return `lucent:${key}/${frame}`;
}

export function parseImageId(imageId: string): { key: string; frame: number } | undefined {
  const m = /^lucent:([^/]+)\/(\d+)$/.exec(imageId);
  if (!m) return undefined;
  return { key: m[1], frame: Number(m[2]) };
}
