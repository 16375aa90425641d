/**
 * Vite plugin: serve and bundle the files the engine loads at run time from the app's own origin, so the
 * app works offline and never reaches a CDN:
 * - /ort/: onnxruntime-web's threaded WebAssembly (and its loader), self-hosted;
 * - /models/: the installed models (models/<id>/ with a manifest.json), plus /models/index.json.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
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
};

export function lucentAssets(): Plugin {
  return {
    name: 'lucent-assets',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const url = (req.url ?? '').split('?')[0] ?? '';
        if (url === '/models/index.json') {
          res.setHeader('content-type', 'application/json');
          res.end(index());
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
    generateBundle() {
      for (const a of assets())
        this.emitFile({ type: 'asset', fileName: a.url.slice(1), source: readFileSync(a.path) });
      this.emitFile({ type: 'asset', fileName: 'models/index.json', source: index() });
    },
  };
}
