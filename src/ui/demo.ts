import type { MessageKey } from '../i18n';
import { en } from '../i18n/en';

/** Is this a translated demo-case name (demo.<id>)? */
export function isDemoKey(key: string): key is MessageKey {
  return key.startsWith('demo.demo-') && key in en;
}
