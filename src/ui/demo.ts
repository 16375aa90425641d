import type { MessageKey } from '../i18n';
import { en } from '../i18n/en';

/** Is this a translated demo-case name (demo.<id>)? */
export function isDemoKey(key: string): key is MessageKey {
  return key.startsWith('demo.demo-') && key in en;
}

/** A demo case's name in the UI language: its translation, else the label it was written with. */
export function demoName(
  t: (key: MessageKey) => string,
  c: { readonly id: string; readonly label: string },
): string {
  const key = `demo.${c.id}`;
  return isDemoKey(key) ? t(key) : c.label;
}
