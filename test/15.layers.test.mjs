// The TypeScript sources import one way: shell/ and the scenario runner ->
// commands/ -> session/ -> native/*.ts (the addon's typed wrappers) -> the
// engine. This reads every import of the source folders (static, type-only,
// re-exports, side-effect and dynamic `import()`), and fails on an import that
// runs upward or on any cycle between files, naming the edge.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// Higher rank may import lower or equal rank, never higher. The scenario runner
// is a front end beside the shell.
const RANK = { shell: 4, 'scenario-runner': 4, commands: 3, session: 2, native: 1 };


function sources(dir) {
  const out = [];
  for (const e of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const rel = path.posix.join(dir, e.name);
    if (e.isDirectory()) out.push(...sources(rel));
    else if (/\.tsx?$/.test(e.name) && !e.name.endsWith('.d.ts')) out.push(rel);
  }
  return out;
}

// Top-level TypeScript of native/ only: its sub-folders are C++.
function files() {
  return Object.keys(RANK).flatMap((d) => (d === 'native'
    ? fs.readdirSync(path.join(root, d)).filter((f) => /\.ts$/.test(f) && !f.endsWith('.d.ts')).map((f) => `native/${f}`)
    : sources(d)));
}

// Every module specifier a file names: import/export ... from, import 'x',
// import('x'), typeof import('x'). Comments are stripped first.
export function specifiers(text) {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
  const out = [];
  const patterns = [
    /\b(?:import|export)\s+(?:type\s+)?[^'";]*?\sfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const re of patterns) for (const m of code.matchAll(re)) out.push(m[1]);
  return out;
}

function resolve(from, spec) {
  if (!spec.startsWith('.')) return null;  // a package
  const target = path.posix.normalize(path.posix.join(path.posix.dirname(from), spec));
  for (const cand of [target.replace(/\.js$/, '.ts'), target.replace(/\.js$/, '.tsx'), `${target}.ts`, `${target}/index.ts`]) {
    if (fs.existsSync(path.join(root, cand))) return cand;
  }
  return target;
}

export function graph() {
  const edges = new Map();
  for (const f of files()) {
    const text = fs.readFileSync(path.join(root, f), 'utf8');
    edges.set(f, [...new Set(specifiers(text).map((s) => resolve(f, s)).filter(Boolean))]);
  }
  return edges;
}

const rankOf = (file) => RANK[file.split('/')[0]] ?? 0;

export function upward(edges) {
  const bad = [];
  for (const [from, tos] of edges) {
    for (const to of tos) {
      if (rankOf(to) > rankOf(from)) bad.push(`${from} -> ${to}`);
    }
  }
  return bad;
}

// Tarjan's strongly connected components: every component of more than one
// file (or a file importing itself) is a cycle; named by one of its edges.
export function cycles(edges) {
  let index = 0;
  const idx = new Map(); const low = new Map(); const stack = []; const on = new Set(); const out = [];
  const visit = (v) => {
    idx.set(v, index); low.set(v, index); index++; stack.push(v); on.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!edges.has(w)) continue;
      if (!idx.has(w)) { visit(w); low.set(v, Math.min(low.get(v), low.get(w))); } else if (on.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
    }
    if (low.get(v) === idx.get(v)) {
      const comp = [];
      let w;
      do { w = stack.pop(); on.delete(w); comp.push(w); } while (w !== v);
      const inComp = new Set(comp);
      const self = (edges.get(v) ?? []).includes(v);
      if (comp.length > 1 || self) {
        const from = comp.sort()[0];
        const to = edges.get(from).find((t) => inComp.has(t));
        out.push(`${comp.length} files: ${comp.join(', ')} (e.g. ${from} -> ${to})`);
      }
    }
  };
  for (const v of edges.keys()) if (!idx.has(v)) visit(v);
  return out;
}

test('the import scanner sees every form of import', () => {
  const specs = specifiers([
    "import { a } from './a.js';", "import type { B } from '../b.js';", "export { c } from './c.js';",
    "import './d.js';", "const e = await import('./e.js');", "type F = typeof import('./f.js');",
    "// import { g } from './g.js';", "/* import './h.js'; */",
  ].join('\n'));
  assert.equal(specs.sort(), ['../b.js', './a.js', './c.js', './d.js', './e.js', './f.js']);
});

test('a cycle and an upward edge are found and named', () => {
  const g = new Map([['commands/a.ts', ['commands/b.ts']], ['commands/b.ts', ['commands/a.ts']], ['session/s.ts', ['commands/a.ts']]]);
  assert.equal(upward(g), ['session/s.ts -> commands/a.ts']);
  assert.equal(cycles(g).length, 1);
  assert.match(cycles(g)[0], 'commands/a.ts -> commands/b.ts');
});

test('no import runs upward: shell, scenario-runner -> commands -> session -> native', () => {
  const g = graph();
  assert.ok(g.size > 50, `only ${g.size} source files found`);
  const bad = upward(g);
  assert.equal(bad, [], `imports that run upward:\n  ${bad.join('\n  ')}`);
});

test('no import cycle between source files', () => {
  const found = cycles(graph());
  assert.equal(found, [], `import cycles:\n  ${found.join('\n  ')}`);
});

// Handlers go through the session's objects, never to the engine. The
// grammar context (parameters read port ids) and the condition language of
// expect / wait until (conditions.ts, given the engine by scenario.ts and the
// scenario runner) still read it.
const ENGINE_READERS = new Set(['commands/params.ts', 'commands/scenario.ts', 'commands/conditions.ts']);

test('no command handler calls the engine: the session is the layer between', () => {
  const bad = files().filter((f) => f.startsWith('commands/') && !ENGINE_READERS.has(f))
    .filter((f) => /\.engine\b/.test(fs.readFileSync(path.join(root, f), 'utf8').replace(/\/\/.*$/gm, '')));
  assert.equal(bad, [], `command files that reach the engine: ${bad.join(', ')}`);
});

test.run();
