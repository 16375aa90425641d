// The HTTP headers every server that hosts Lucent must send: cross-origin isolation (so that threaded
// WebAssembly is available) and a Content-Security-Policy that lets the page talk only to its own origin
// and the configured DICOMweb server. Shared by the Vite dev server, the preview server and the tests;
// docs/deploy.md shows the same headers for nginx.

/** Origins of the configured DICOMweb server(s), from LUCENT_DICOMWEB_URL (comma-separated). */
export function dicomwebOrigins(env = process.env) {
  return (env.LUCENT_DICOMWEB_URL ?? '')
    .split(',')
    .map((u) => u.trim())
    .filter(Boolean)
    .flatMap((u) => {
      try {
        const url = new URL(u);
        return url.protocol === 'http:' || url.protocol === 'https:' ? [url.origin] : [];
      } catch {
        return [];
      }
    });
}

export function contentSecurityPolicy({ dev = false, env = process.env } = {}) {
  const connect = ["'self'", ...dicomwebOrigins(env), ...(dev ? ['ws:', 'wss:'] : [])];
  return [
    "default-src 'self'",
    `script-src 'self' 'wasm-unsafe-eval'${dev ? " 'unsafe-inline'" : ''}`,
    "worker-src 'self' blob:",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src ${connect.join(' ')}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export function securityHeaders(options = {}) {
  return {
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Embedder-Policy': 'require-corp',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Content-Security-Policy': contentSecurityPolicy(options),
    'Referrer-Policy': 'no-referrer',
    'X-Content-Type-Options': 'nosniff',
    'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), interest-cohort=()',
  };
}
