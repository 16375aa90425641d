import react from '@vitejs/plugin-react';
import { defineConfig, type ProxyOptions } from 'vite';
import { securityHeaders } from './scripts/headers.mjs';
import { lucentAssets } from './scripts/vite-assets';

// Optional same-origin proxy to a DICOMweb server that does not send CORS headers (e.g. Orthanc):
// LUCENT_DICOMWEB_PROXY=http://127.0.0.1:8042/dicom-web serves it at /dicomweb.
const proxyTarget = process.env['LUCENT_DICOMWEB_PROXY'];
const proxy: Record<string, ProxyOptions> = proxyTarget
  ? {
      '/dicomweb': {
        target: proxyTarget,
        changeOrigin: true,
        rewrite: (p) => p.replace(/^\/dicomweb/, ''),
      },
    }
  : {};

const codec = (name: string): string => `@cornerstonejs/dicom-image-loader > @cornerstonejs/${name}`;

export default defineConfig(({ command }) => ({
  plugins: [react(), lucentAssets()],
  cacheDir: process.env['LUCENT_VITE_CACHE'] ?? 'node_modules/.vite',
  server: {
    port: Number(process.env['PORT'] ?? 5173),
    strictPort: true,
    host: process.env['HOST'] ?? 'localhost',
    headers: securityHeaders({ dev: command === 'serve' }),
    proxy,
  },
  preview: {
    port: Number(process.env['PORT'] ?? 4173),
    headers: securityHeaders(),
    proxy,
  },
  worker: {
    format: 'es',
  },
  optimizeDeps: {
    // Discover everything at start-up so the dev server never reloads the page on first use.
    entries: ['index.html', 'src/**/*.worker.ts'],
    exclude: [
      '@cornerstonejs/dicom-image-loader',
      'onnxruntime-web',
      'onnxruntime-web/wasm',
      'onnxruntime-web/webgpu',
    ],
    include: [
      'react',
      'react-dom',
      'react-dom/client',
      'zustand',
      'zustand/vanilla',
      'fflate',
      'dicom-parser',
      '@cornerstonejs/core',
      '@cornerstonejs/tools',
      '@cornerstonejs/metadata',
      '@cornerstonejs/utils',
      codec('codec-libjpeg-turbo-8bit/decodewasmjs'),
      codec('codec-charls/decodewasmjs'),
      codec('codec-openjpeg/decodewasmjs'),
      codec('codec-openjph/wasmjs'),
      codec('codec-libjxl/decodewasmjs'),
      codec('jpeg-lossless-decoder-js'),
      '@cornerstonejs/dicom-image-loader > pako',
      '@cornerstonejs/dicom-image-loader > uuid',
      '@cornerstonejs/dicom-image-loader > comlink',
    ],
  },
  build: {
    target: 'es2022',
    rollupOptions: {
      // The offline service worker is an entry of its own, served as /sw.js (its scope is the whole app).
      input: { index: 'index.html', sw: 'src/offline/sw.ts' },
      output: {
        entryFileNames: (chunk) => (chunk.name === 'sw' ? 'sw.js' : 'assets/[name]-[hash].js'),
      },
    },
    sourcemap: true,
    minify: process.env.LUCENT_NO_MINIFY ? false : undefined,
    chunkSizeWarningLimit: 6000,
  },
  define: {
    'import.meta.env.VITE_LUCENT_DICOMWEB_URL': JSON.stringify(
      process.env['LUCENT_DICOMWEB_URL']?.split(',')[0] ?? '',
    ),
  },
}));
