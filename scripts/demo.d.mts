export const DEMO_DIR: string;
export function demoIsCurrent(): boolean;
export function ensureDemo(): void;
