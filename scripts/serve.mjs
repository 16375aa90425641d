#!/usr/bin/env node
// A small static server for the built app (dist/), with the headers Lucent needs (COOP/COEP, CSP) and an
// optional same-origin proxy to a DICOMweb server that sends no CORS headers (LUCENT_DICOMWEB_PROXY,
// served at /dicomweb). Used by `npm run preview` and by the end-to-end tests.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { securityHeaders } from './headers.mjs';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.onnx': 'application/octet-stream',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.map': 'application/json; charset=utf-8',
  '.dcm': 'application/dicom',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
};

export function startServer({
  root,
  port = 0,
  host = '127.0.0.1',
  proxy = process.env.LUCENT_DICOMWEB_PROXY,
} = {}) {
  const base = resolve(root);
  const headers = securityHeaders();
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (proxy && (url.pathname === '/dicomweb' || url.pathname.startsWith('/dicomweb/'))) {
      const target = new URL(proxy.replace(/\/+$/, '') + url.pathname.slice('/dicomweb'.length) + url.search);
      const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
      const upstream = send(
        target,
        { method: req.method, headers: { ...req.headers, host: target.host } },
        (up) => {
          res.writeHead(up.statusCode ?? 502, { ...up.headers, ...headers });
          up.pipe(res);
        },
      );
      upstream.on('error', (e) => {
        res.writeHead(502, { 'content-type': 'text/plain', ...headers });
        res.end(`DICOMweb proxy error: ${e.message}`);
      });
      req.pipe(upstream);
      return;
    }
    let path = normalize(decodeURIComponent(url.pathname)).replace(/^(\.\.[/\\])+/, '');
    let file = join(base, path);
    if (!file.startsWith(base)) {
      res.writeHead(403, headers).end();
      return;
    }
    if (!existsSync(file) || statSync(file).isDirectory()) {
      const index = join(file, 'index.html');
      file = existsSync(index) ? index : join(base, 'index.html');
      path = file.slice(base.length);
    }
    const stat = statSync(file);
    const immutable = path.includes('/assets/');
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'content-length': stat.size,
      'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      ...headers,
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => {
      const address = server.address();
      ok({ server, port: typeof address === 'object' && address ? address.port : port });
    });
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = process.argv[2] ?? 'dist';
  if (!existsSync(join(root, 'index.html'))) {
    console.error(`lucent: ${root}/index.html not found: run "npm run build" first`);
    process.exit(1);
  }
  const port = Number(process.env.PORT ?? 4173);
  const { port: actual } = await startServer({ root, port, host: process.env.HOST ?? 'localhost' });
  console.log(`Lucent (static build) at http://localhost:${actual}/`);
}
