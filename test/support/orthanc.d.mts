export const ORTHANC_BIN: string;
export const DICOMWEB_PLUGIN: string;
export function freePort(): Promise<number>;
export interface Orthanc {
  url: string;
  dicomweb: string;
  store(bytes: Uint8Array): Promise<unknown>;
  stop(): Promise<void>;
}
export function startOrthanc(): Promise<Orthanc>;
