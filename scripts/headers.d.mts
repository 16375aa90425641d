export function dicomwebOrigins(env?: Record<string, string | undefined>): string[];
export function contentSecurityPolicy(options?: {
  dev?: boolean;
  env?: Record<string, string | undefined>;
}): string;
export function securityHeaders(options?: {
  dev?: boolean;
  env?: Record<string, string | undefined>;
}): Record<string, string>;
