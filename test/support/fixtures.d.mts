export const cacheDir: string;
export const pydicomDir: string;
export function pydicomTestFiles(): string;
