import type { ChildProcess } from 'node:child_process';

export const DEMO_DIR: string;
export function demoIsCurrent(dir?: string): boolean;
export function ensureDemo(dir?: string): void;
export function startDemoInBackground(dir?: string): ChildProcess | null;
