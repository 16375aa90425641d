/**
 * What may be persisted, and where. Every persisted key is declared here with its destination; patient
 * identifiers are never persisted. Values are versioned and validated on load (bad or old values are
 * dropped, not trusted).
 */
import { isLanguage, type Language } from '../i18n';
import type { Failure } from '../lib/errors';

export type Destination = 'device' | 'export' | 'never';

export interface PersistedSettings {
  readonly language: Language;
  readonly pacsUrl: string;
  readonly overlay: boolean;
}

/**
 * Settings persisted on this device. The findings review of a series is also kept on this device (see
 * `review.ts`), under a hash of the series UID; patient names and IDs are never written.
 */
export const PERSISTENCE: Readonly<Record<keyof PersistedSettings, Destination>> = {
  language: 'device',
  pacsUrl: 'device',
  overlay: 'device',
};

const KEY = 'lucent.settings';
const VERSION = 1;

/**
 * Why what a reader produces could not be kept on this device: the code, and why in detail (`kind`
 * `timeout`, `blocked` or `no-indexeddb` where Lucent knows; else the browser's English message).
 */
export interface StorageProblem extends Failure {
  readonly code: 'quota' | 'write-failed' | 'unavailable';
}

export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export function loadSettings(storage: KeyValueStorage | undefined): Partial<PersistedSettings> {
  if (!storage) return {};
  try {
    const raw = storage.getItem(KEY);
    if (!raw) return {};
    const parsed = JSON.parse(raw) as { version?: unknown; values?: Record<string, unknown> };
    if (parsed.version !== VERSION || typeof parsed.values !== 'object' || parsed.values === null) return {};
    const v = parsed.values;
    const out: { -readonly [K in keyof PersistedSettings]?: PersistedSettings[K] } = {};
    if (isLanguage(v['language'])) out.language = v['language'];
    if (typeof v['pacsUrl'] === 'string' && v['pacsUrl'].length < 2048) out.pacsUrl = v['pacsUrl'];
    if (typeof v['overlay'] === 'boolean') out.overlay = v['overlay'];
    return out;
  } catch {
    return {};
  }
}

export function saveSettings(storage: KeyValueStorage | undefined, settings: PersistedSettings): void {
  if (!storage) return;
  const values: Record<string, unknown> = {};
  for (const [k, dest] of Object.entries(PERSISTENCE)) {
    if (dest === 'device') values[k] = settings[k as keyof PersistedSettings];
  }
  try {
    storage.setItem(KEY, JSON.stringify({ version: VERSION, values }));
  } catch {
    // Storage full or disabled: settings simply do not persist.
  }
}
