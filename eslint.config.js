// ESLint: TypeScript (type-aware), React hooks, and the folder boundaries from ARCHITECTURE.md.
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Forbid imports of the given src/ folders (relative paths, any depth). */
const folders = (names, { allowTypes = [] } = {}) => {
  const patterns = [];
  if (names.length > 0) {
    patterns.push({
      regex: `^(\\.{1,2}/)+(?:\\.\\./)*(${names.join('|')})(/|$)`,
      message: 'This import crosses a folder boundary (see ARCHITECTURE.md).',
    });
  }
  if (allowTypes.length > 0) {
    patterns.push({
      regex: `^(\\.{1,2}/)+(?:\\.\\./)*(${allowTypes.join('|')})(/|$)`,
      allowTypeImports: true,
      message: 'Only type imports may cross this folder boundary (see ARCHITECTURE.md).',
    });
  }
  return patterns;
};

const cornerstone = { group: ['@cornerstonejs/*'], message: 'Only imaging/ imports Cornerstone.' };
const ort = {
  group: ['onnxruntime-web', 'onnxruntime-web/*', 'onnxruntime-node', 'onnxruntime-node/*'],
  message: 'Only ai/browser (onnxruntime-web) and ai/node (onnxruntime-node) import onnxruntime.',
};
const ortNode = {
  group: ['onnxruntime-node', 'onnxruntime-node/*'],
  message: 'onnxruntime-node belongs in ai/node (the Node host).',
};
const ortWeb = {
  group: ['onnxruntime-web', 'onnxruntime-web/*'],
  message: 'onnxruntime-web belongs in ai/browser (the browser host).',
};
const react = {
  group: ['react', 'react-dom', 'react-dom/*', 'zustand'],
  message: 'React and zustand hooks belong in ui/ and app/.',
};
const transformersJs = {
  group: ['@huggingface/transformers', '@huggingface/*'],
  message: 'transformers.js belongs in report/llm and the hosts that load it (cli/, ai/browser).',
};

// Tests are inside the zones: a test may add vitest, node: modules and test/support, nothing else. A test
// that needs another folder's code lives in test/unit/.
const boundary = (files, patterns) => ({
  files,
  rules: { 'no-restricted-imports': ['error', { patterns }] },
});

// The folders outside ai/ that ai/ never imports; ai/shared and ai/registry are the pure part of ai/, each
// host's runtime lives in its own folder (ai/browser, ai/node) and neither imports the other.
const aiOutside = folders(['store', 'ui', 'app', 'cli', 'imaging', 'synth']);
const aiHosts = ['browser', 'node', 'ai/browser', 'ai/node'];

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      '.cache/**',
      'scratch/**',
      'bench/results/**',
      'models/**',
      'coverage/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: {
          allowDefaultProject: ['*.js', '*.mjs', 'scripts/*.mjs', 'test/*/*.mjs', 'bin/*.mjs'],
        },
        tsconfigRootDir: import.meta.dirname,
      },
      globals: { ...globals.browser, ...globals.node },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/explicit-module-boundary-types': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    rules: {
      ...tseslint.configs.disableTypeChecked.rules,
      'no-console': 'off',
      '@typescript-eslint/explicit-module-boundary-types': 'off',
    },
  },
  {
    files: ['src/ui/**/*.{ts,tsx}', 'src/app/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: { ...reactHooks.configs.recommended.rules },
  },
  {
    files: ['**/*.test.ts', 'test/**/*.ts', 'scripts/**', 'bench/**'],
    rules: { 'no-console': 'off', '@typescript-eslint/explicit-module-boundary-types': 'off' },
  },
  // Folder boundaries.
  boundary(
    ['src/lib/**'],
    [
      ...folders([
        'dicom',
        'imaging',
        'store',
        'ui',
        'app',
        'cli',
        'ai',
        'analysis',
        'findings',
        'report',
        'synth',
        'i18n',
      ]),
      cornerstone,
      ort,
      react,
    ],
  ),
  boundary(
    ['src/i18n/**'],
    [
      ...folders([
        'dicom',
        'imaging',
        'store',
        'ui',
        'app',
        'cli',
        'ai',
        'analysis',
        'findings',
        'report',
        'synth',
        'lib',
      ]),
      cornerstone,
      ort,
      react,
    ],
  ),
  boundary(
    ['src/dicom/**'],
    [
      ...folders([
        'imaging',
        'store',
        'ui',
        'app',
        'cli',
        'ai',
        'analysis',
        'findings',
        'report',
        'synth',
        'i18n',
      ]),
      cornerstone,
      ort,
      react,
    ],
  ),
  boundary(
    ['src/findings/**'],
    [
      ...folders(['dicom', 'imaging', 'store', 'ui', 'app', 'cli', 'ai', 'analysis', 'report', 'synth']),
      cornerstone,
      ort,
      react,
    ],
  ),
  boundary(
    ['src/report/**'],
    [
      ...folders(['dicom', 'imaging', 'store', 'ui', 'app', 'cli', 'ai', 'analysis', 'synth']),
      cornerstone,
      ort,
      react,
      transformersJs,
    ],
  ),
  // The language model's prompt, constrained decoding and backends: report/ plus transformers.js.
  boundary(
    ['src/report/llm/**'],
    [
      ...folders(['dicom', 'imaging', 'store', 'ui', 'app', 'cli', 'ai', 'analysis', 'synth']),
      cornerstone,
      ort,
      react,
    ],
  ),
  boundary(
    ['src/synth/**'],
    [
      ...folders(['imaging', 'store', 'ui', 'app', 'cli', 'ai', 'analysis', 'report']),
      cornerstone,
      ort,
      react,
    ],
  ),
  boundary(
    ['src/imaging/**'],
    [...folders(['store', 'ui', 'app', 'cli', 'ai', 'analysis', 'report', 'synth']), ort, react],
  ),
  boundary(['src/ai/*.{ts,tsx}'], [...aiOutside, ...folders(['analysis']), cornerstone, react]),
  boundary(
    ['src/ai/shared/**', 'src/ai/registry/**'],
    [...aiOutside, ...folders([...aiHosts, 'analysis']), cornerstone, ort, react],
  ),
  boundary(
    ['src/ai/node/**'],
    [...aiOutside, ...folders(['browser', 'ai/browser', 'analysis']), cornerstone, ortWeb, react],
  ),
  boundary(
    ['src/ai/browser/**'],
    [...aiOutside, ...folders(['node', 'ai/node']), cornerstone, ortNode, react],
  ),
  // The host-neutral analysis (volume → findings → report draft), called by app/, cli/ and ai/browser.
  boundary(
    ['src/analysis/**'],
    [
      ...folders(['imaging', 'store', 'ui', 'app', 'cli', 'synth', 'ai/browser', 'ai/node'], {
        allowTypes: ['dicom'],
      }),
      cornerstone,
      ort,
      react,
    ],
  ),
  // Practice and reader-study logic (scoring, figures of merit, feedback, history): pure, like findings/;
  // it scores people with ai/shared's detection metrics (froc.ts), never a host's runtime.
  boundary(
    ['src/practice/**'],
    [
      ...folders([
        'dicom',
        'imaging',
        'store',
        'ui',
        'app',
        'cli',
        'analysis',
        'report',
        'synth',
        ...aiHosts,
      ]),
      ...folders(['ai/registry', 'registry']),
      cornerstone,
      ort,
      react,
    ],
  ),
  boundary(
    ['src/store/**'],
    [
      ...folders(['ui', 'app', 'cli'], { allowTypes: ['imaging', 'ai', 'analysis'] }),
      cornerstone,
      ort,
      transformersJs,
      { group: ['react', 'react-dom', 'react-dom/*'], message: 'The store never imports React.' },
    ],
  ),
  boundary(
    ['src/ui/**'],
    [
      ...folders(['app', 'cli', 'synth'], { allowTypes: ['imaging', 'ai', 'analysis'] }),
      cornerstone,
      ort,
      {
        group: ['**/*.worker', '**/*.worker.ts', '**/ingest/client'],
        message: 'The UI never starts workers.',
      },
      transformersJs,
    ],
  ),
  boundary(['src/app/**'], [cornerstone, ort, transformersJs]),
  // The offline service worker runs outside the page: it imports nothing of the app's.
  boundary(
    ['src/offline/**'],
    [
      ...folders([
        'ai',
        'analysis',
        'app',
        'batch',
        'cli',
        'dicom',
        'findings',
        'i18n',
        'imaging',
        'lib',
        'practice',
        'report',
        'store',
        'synth',
        'types',
        'ui',
      ]),
      cornerstone,
      ort,
      react,
      transformersJs,
    ],
  ),
  boundary(['src/cli/**'], [...folders(['ui', 'app', 'imaging', 'store']), cornerstone, react]),
  // Archive-scale analysis on BullMQ/Redis (Node only): DICOMweb in, SR out. The analysis itself comes in
  // from cli/ (analyzeLoaded), so batch/ takes only cli's types.
  boundary(
    ['src/batch/**'],
    [
      ...folders(['imaging', 'store', 'ui', 'app', 'synth', 'ai', 'analysis', 'practice'], {
        allowTypes: ['cli'],
      }),
      cornerstone,
      ort,
      react,
    ],
  ),
);
