/**
 * Vite plugin: serve and bundle the files the engine loads at run time from the app's own origin, so the
 * app works offline and never reaches a CDN:
 * - /ort/: onnxruntime-web's threaded WebAssembly (and its loader), self-hosted;
 * - /models/: the installed models (models/<id>/ with a manifest.json), plus /models/index.json;
 * - /demo/ (dev server only): the demo cases, from LUCENT_DEMO_DIR (default public/demo), which
 *   `npm start` may still be writing; the build copies public/demo like any public file;
 * - /offline.json (build only): the files the offline service worker (src/offline/sw.ts, built as
 *   /sw.js) stores when it installs, and the build's id, which is also written into sw.js.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { extname, join, resolve, sep } from 'node:path';
import type { Plugin } from 'vite';

const root = resolve(import.meta.dirname, '..');
const ORT_DIR = join(root, 'node_modules/onnxruntime-web/dist');
export const ORT_FILES = [
  'ort-wasm-simd-threaded.jsep.mjs',
  'ort-wasm-simd-threaded.jsep.wasm',
  'ort-wasm-simd-threaded.mjs',
  'ort-wasm-simd-threaded.wasm',
];
const MODEL_FILES = new Set(['.onnx', '.json', '.md']);
const PUBLIC_DEMO = join(root, 'public/demo');

interface Asset {
  readonly url: string;
  readonly path: string;
}

function modelDirs(): string[] {
  const dir = join(root, 'models');
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter(
    (d) => existsSync(join(dir, d, 'manifest.json')) && statSync(join(dir, d)).isDirectory(),
  );
}

function assets(): Asset[] {
  const out: Asset[] = ORT_FILES.map((f) => ({ url: `/ort/${f}`, path: join(ORT_DIR, f) }));
  for (const d of modelDirs()) {
    for (const f of readdirSync(join(root, 'models', d))) {
      if (MODEL_FILES.has(extname(f)))
        out.push({ url: `/models/${d}/${f}`, path: join(root, 'models', d, f) });
    }
    // A language model in the transformers.js layout keeps its network in onnx/.
    const onnx = join(root, 'models', d, 'onnx');
    if (existsSync(onnx))
      for (const f of readdirSync(onnx))
        if (extname(f) === '.onnx') out.push({ url: `/models/${d}/onnx/${f}`, path: join(onnx, f) });
  }
  return out;
}

function index(): string {
  const models = modelDirs().map((d) => ({
    dir: d,
    manifest: JSON.parse(readFileSync(join(root, 'models', d, 'manifest.json'), 'utf8')) as unknown,
  }));
  return JSON.stringify({ schema: 'lucent.models/1', models });
}

const TYPES: Record<string, string> = {
  '.mjs': 'text/javascript',
  '.wasm': 'application/wasm',
  '.onnx': 'application/octet-stream',
  '.json': 'application/json',
  '.md': 'text/markdown; charset=utf-8',
  '.dcm': 'application/dicom',
};

/** A file under the demo folder for a /demo/… URL, or null (outside it, or missing). */
function demoFile(dir: string, url: string): string | null {
  let rel: string;
  try {
    rel = decodeURIComponent(url.slice('/demo/'.length));
  } catch {
    return null;
  }
  const file = resolve(dir, rel);
  if (!file.startsWith(dir + sep) || !existsSync(file) || !statSync(file).isFile()) return null;
  return file;
}

export function lucentAssets(): Plugin {
  return {
    name: 'lucent-assets',
    config() {
      // The demo cases are served by this plugin, not watched: writing them must not reload the page.
      return { server: { watch: { ignored: [`${PUBLIC_DEMO}/**`] } } };
    },
    configureServer(server) {
      const demoDir = resolve(process.env['LUCENT_DEMO_DIR'] ?? PUBLIC_DEMO);
      server.middlewares.use((req, res, next) => {
        const url = (req.url ?? '').split('?')[0] ?? '';
        // The same headers as every other response of the dev server. onnxruntime-web starts its threads
        // as workers from /ort/*.mjs, and a cross-origin isolated page refuses a worker script that comes
        // without Cross-Origin-Embedder-Policy (net::ERR_BLOCKED_BY_RESPONSE): the engine then waited
        // for threads that never started.
        for (const [k, v] of Object.entries(server.config.server.headers ?? {}))
          if (v !== undefined) res.setHeader(k, v);
        if (url === '/models/index.json') {
          res.setHeader('content-type', 'application/json');
          res.end(index());
          return;
        }
        if (url.startsWith('/demo/')) {
          const file = demoFile(demoDir, url);
          res.setHeader('cache-control', 'no-cache');
          if (!file) {
            res.statusCode = 404;
            res.end();
            return;
          }
          res.setHeader('content-type', TYPES[extname(file)] ?? 'application/octet-stream');
          res.end(readFileSync(file));
          return;
        }
        const asset = assets().find((a) => a.url === url);
        if (!asset) {
          next();
          return;
        }
        res.setHeader('content-type', TYPES[extname(asset.path)] ?? 'application/octet-stream');
        res.end(readFileSync(asset.path));
      });
    },
    generateBundle(_options, bundle) {
      // onnxruntime-web's bundles name their WebAssembly with new URL(…, import.meta.url), so Vite copies
      // it into assets/ too; the engine loads it from /ort/ (wasmPaths) only. Leave out the 41 MB copies.
      for (const name of Object.keys(bundle))
        if (/^assets\/ort-wasm-[^/]*\.wasm$/.test(name)) delete bundle[name];
      for (const a of assets())
        this.emitFile({ type: 'asset', fileName: a.url.slice(1), source: readFileSync(a.path) });
      this.emitFile({ type: 'asset', fileName: 'models/index.json', source: index() });
    },
    writeBundle(options, bundle) {
      // The offline copy: the page and every file of the build except source maps and the WebGPU
      // runtime (28 MB, stored when a WebGPU machine first fetches it). The demo cases are stored as they
      // are opened. The build's id is a digest of what is listed, so any change installs afresh.
      const dir = options.dir;
      if (!dir || !bundle['sw.js']) return;
      const digest = createHash('sha256');
      const files = Object.keys(bundle)
        .filter((name) => name !== 'sw.js' && !name.endsWith('.map') && !/\.jsep\./.test(name))
        .sort();
      for (const name of files) digest.update(name).update(readFileSync(join(dir, name)));
      const list = files.map((name) => (name === 'index.html' ? '/' : `/${name}`));
      // The demo cases' list (copied from public/): the page asks for it before the worker controls it.
      const demoIndex = join(PUBLIC_DEMO, 'index.json');
      if (existsSync(demoIndex)) {
        digest.update('demo/index.json').update(readFileSync(demoIndex));
        list.push('/demo/index.json');
      }
      const build = digest.digest('hex').slice(0, 16);
      writeFileSync(
        join(dir, 'offline.json'),
        `${JSON.stringify({ schema: 'lucent.offline/1', build, files: list }, null, 2)}\n`,
      );
      const sw = join(dir, 'sw.js');
      const code = readFileSync(sw, 'utf8');
      if (!code.includes('__LUCENT_BUILD__')) throw new Error('sw.js has no build id placeholder');
      writeFileSync(sw, code.replaceAll('__LUCENT_BUILD__', build));
    },
  };
}
