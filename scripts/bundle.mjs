#!/usr/bin/env node
// Bundles the shell into dist/bundle/ with esbuild: the entry point the `ringside`
// command runs (ringside.js) and the dashboard process (dashboard.js). What the
// first prompt does not need (the dashboard host, the scenario runner, ...) is
// behind a dynamic import, so it becomes a chunk of its own, loaded on first use.
// Type checking stays with tsc (`npm run build`).
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// Yoga (Ink's layout engine) is Emscripten output that reads its inline wasm
// with fetch('data:...') when fetch exists, which loads Node's whole HTTP
// client (~60 ms at start-up). Without fetch in its scope it decodes the
// base64 itself.
const yogaWithoutFetch = {
  name: 'yoga-without-fetch',
  setup(b) {
    b.onLoad({ filter: /yoga-layout[\\/].*yoga-wasm-base64-esm\.js$/ }, async (args) => ({
      contents: 'const fetch = undefined;\n' + await readFile(args.path, 'utf8'),
      loader: 'js',
    }));
  },
};

// Chunk names carry content hashes: a fresh directory holds no stale chunk.
rmSync(path.join(root, 'dist/bundle'), { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: { ringside: 'shell/main.ts', dashboard: 'shell/monitor/dashboard.ts' },
  outdir: 'dist/bundle',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  jsx: 'automatic',
  minifySyntax: true,
  legalComments: 'none',
  define: { 'process.env.NODE_ENV': '"production"' },
  // node-gyp-build finds the addon with require(variable); blessed loads its
  // widgets the same way; react-devtools-core is Ink's optional debugger.
  external: ['node-gyp-build', 'blessed', 'react-devtools-core'],
  // CommonJS packages inside an ES module bundle still call require().
  banner: { js: "import { createRequire as __createRequire } from 'node:module';\nconst require = __createRequire(import.meta.url);" },
  plugins: [yogaWithoutFetch],
  logLevel: 'warning',
});
