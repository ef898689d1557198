// --json and `set output json`: each result as one JSON object on one line,
// from the same typed results the text renderers draw. Values are the data the
// handlers returned (every counter, the pps/bps rates, ...); StyledLines become
// plain strings; nested results (a `load` file's steps) are converted the same way.
import type { CommandResult, StyledLine } from './types.js';
import type { ScriptResult } from './results.js';

export type JsonObject = { [key: string]: unknown };

const text = (lines: unknown): string[] =>
  Array.isArray(lines) ? lines.map((l) => (typeof l === 'string' ? l : (l as StyledLine)?.text ?? String(l))) : [];

// Lines that carry a style a machine may care about (errors and warnings).
function levels(lines: unknown): { errors?: string[]; warnings?: string[] } {
  if (!Array.isArray(lines)) return {};
  const pick = (style: string): string[] => lines.filter((l) => (l as StyledLine)?.style === style).map((l) => (l as StyledLine).text);
  const errors = pick('error');
  const warnings = pick('warning');
  return { ...(errors.length ? { errors } : {}), ...(warnings.length ? { warnings } : {}) };
}

// The result as a plain JSON-able object ({ kind, ...data }).
export function toJson(result: CommandResult): JsonObject {
  const r = result as JsonObject & { kind: string };
  switch (r.kind) {
    case 'message':
    case 'quit':
      return { ...r, lines: text(r.lines), ...levels(r.lines) };
    case 'script': {
      const s = r as unknown as ScriptResult;
      return { ...s, steps: s.steps.map((st) => ({ lineNo: st.lineNo, line: st.line, result: toJson(st.result) })) };
    }
    default:
      return { ...r };
  }
}

// BigInt (64-bit counters, should any arrive as such) -> number when exact, else string.
function replacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (value instanceof Map) return Object.fromEntries(value);
  if (value instanceof Set) return [...value];
  return value;
}

// One line of JSON for a result; `command` (the line that produced it) comes first when given.
export function renderJson(result: CommandResult, command?: string): string {
  const obj = toJson(result);
  return JSON.stringify(command === undefined ? obj : { command, ...obj }, replacer);
}

// Asynchronous lines (engine events, start-up and shutdown lines) in JSON mode.
export function logJson(line: StyledLine): string {
  if (line.json) return JSON.stringify(line.json);
  return JSON.stringify({ kind: 'log', text: line.text, ...(line.style && line.style !== 'normal' ? { style: line.style } : {}) });
}
