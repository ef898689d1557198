// How runs are reported: live text for people (each step, its result and
// duration; a failure says what was expected and what was found), JSON lines
// for programs (--json), and a JUnit XML file for CI (--junit PATH).
import type { StyledLine } from '../commands/types.js';
import type { Loc, Scenario, SyntaxIssue } from './parse.js';
import type { FileReport, RunHooks, StepReport } from './reports.js';
import { formatDuration } from '../commands/words.js';
import { L } from '../commands/util.js';

function where(r: StepReport): string {
  return r.line > 0 ? `${r.file}:${r.line}` : r.file;
}

function label(r: StepReport): string {
  if (r.kind === 'topology') return 'topology';
  if (r.kind === 'cleanup') return 'cleanup';
  return r.source;
}

// The lines a step prints.
export function stepLines(r: StepReport, verbose = false, scenarioFile?: string): StyledLine[] {
  const out: StyledLine[] = [];
  const ok = r.status === 'ok';
  const tag = ok ? 'ok  ' : 'FAIL';
  // Steps from an included file name it.
  const line = r.line <= 0 ? '    ' : scenarioFile !== undefined && r.file !== scenarioFile ? `${r.file}:${r.line}` : String(r.line).padStart(4);
  const detail = ok && r.detail ? `  [${r.detail}]` : '';
  out.push(L(`  ${tag} ${line}  ${label(r)}${detail}  (${formatDuration(r.durationMs)})`, ok ? (r.expectation ? 'ok' : 'normal') : 'error'));
  if (!ok) {
    out.push(L(`       ${where(r)}: ${r.message ?? 'failed'}`, 'error'));
    if (r.line > 0 && r.kind !== 'cleanup') out.push(L(`       ${String(r.line).padStart(4)} | ${r.source}`, 'error'));
    if (r.expected !== undefined) out.push(L(`       expected: ${r.expected}`, 'error'));
    if (r.actual !== undefined) {
      const [first, ...more] = r.actual.split('\n');
      out.push(L(`       actual:   ${first}`, 'error'));
      for (const m of more) out.push(L(`                 ${m}`, 'error'));
    }
    if (r.detail !== undefined) out.push(L(`       note:     ${r.detail}`, 'error'));
  }
  for (const o of shownOutput(r, verbose)) out.push(L(`         ${o}`, 'dim'));
  for (const e of r.events ?? []) out.push({ ...e, text: `       > ${e.text}` });
  return out;
}

// Output shown under a step: all of it for `show ...` commands and with
// --verbose; a few lines of a program's; a command's only when it failed.
const SHELL_LINES = 10;
function shownOutput(r: StepReport, verbose: boolean): string[] {
  const o = r.output ?? [];
  if (verbose || r.kind === 'topology' || (r.kind === 'command' && /^(show|pcap|help)\b/.test(r.source))) return o;
  if (r.kind === 'shell' || r.status === 'fail') {
    if (o.length <= SHELL_LINES + 1) return o;
    return [...o.slice(0, SHELL_LINES), `... (${o.length - SHELL_LINES} more lines; --verbose shows all)`];
  }
  return [];
}

export function fileSummary(r: FileReport): StyledLine {
  const word = r.status === 'pass' ? 'PASS' : r.status === 'fail' ? 'FAIL' : 'INTERRUPTED';
  const e = r.expectations;
  const parts = [`${r.steps.filter((s) => s.kind !== 'cleanup' && s.kind !== 'topology' && s.kind !== 'startup').length} steps`,
    `${e.passed} expectation${e.passed === 1 ? '' : 's'} met`];
  if (e.failed) parts.push(`${e.failed} failed`);
  const failedSteps = r.steps.filter((s) => s.status === 'fail' && !s.expectation).length;
  if (failedSteps) parts.push(`${failedSteps} step${failedSteps === 1 ? '' : 's'} failed`);
  if (r.notRun) parts.push(`${r.notRun} not run`);
  const first = r.steps.find((s) => s.status === 'fail');
  const at = first && first.line > 0 ? `; first failure at ${where(first)}` : '';
  return L(`${word} ${r.file}: ${parts.join(', ')}${at} (${formatDuration(r.durationMs)})`, r.status === 'pass' ? 'ok' : 'error');
}

// Live text: a heading per scenario, a line per step, a summary line.
export function textHooks(emit: (lines: StyledLine[]) => void, verbose = false): RunHooks {
  let current: string | undefined;
  return {
    fileStart: (sc: Scenario) => { current = sc.file; emit([L(`scenario ${sc.file}`, 'heading')]); },
    step: (r) => emit(stepLines(r, verbose, current)),
    fileEnd: (r) => emit([fileSummary(r), L('')]),
  };
}

// One JSON object a line.
export function jsonHooks(write: (obj: object) => void): RunHooks {
  return {
    fileStart: (sc) => write({ type: 'scenario', file: sc.file, steps: sc.steps.length }),
    step: (r) => write({ type: 'step', ...r, durationMs: Math.round(r.durationMs * 1000) / 1000 }),
    fileEnd: (r) => write({
      type: 'result', file: r.file, status: r.status, summary: fileSummary(r).text, durationMs: Math.round(r.durationMs),
      expectations: r.expectations, notRun: r.notRun,
      failures: r.steps.filter((s) => s.status === 'fail').map((s) => ({ line: s.line, source: s.source, message: s.message, expected: s.expected, actual: s.actual })),
    }),
  };
}

export function issueJson(i: SyntaxIssue): object {
  return { type: 'syntax-error', file: i.loc.file, line: i.loc.line, source: i.loc.text, message: i.message, hint: i.hint };
}

export function issueLines(i: SyntaxIssue): StyledLine[] {
  return formatIssue(i).map((t) => L(t, 'error'));
}

const xml = (s: string): string => s
  // eslint-disable-next-line no-control-regex
  .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '')
  .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const secs = (ms: number): string => (ms / 1000).toFixed(3);

// JUnit XML: a testsuite per scenario file, a testcase per step.
export function junit(files: FileReport[], syntax: SyntaxIssue[] = []): string {
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const tests = files.reduce((a, f) => a + f.steps.length + f.notRun, 0) + syntax.length;
  const failures = files.reduce((a, f) => a + f.steps.filter((s) => s.status === 'fail').length, 0) + syntax.length;
  const time = files.reduce((a, f) => a + f.durationMs, 0);
  out.push(`<testsuites name="ringside scenarios" tests="${tests}" failures="${failures}" errors="0" time="${secs(time)}">`);
  const bySyntaxFile = new Map<string, SyntaxIssue[]>();
  for (const i of syntax) bySyntaxFile.set(i.loc.file, [...(bySyntaxFile.get(i.loc.file) ?? []), i]);
  for (const [file, issues] of bySyntaxFile) {
    out.push(`  <testsuite name="${xml(file)}" tests="${issues.length}" failures="${issues.length}" errors="0" skipped="0" time="0">`);
    for (const i of issues) {
      out.push(`    <testcase classname="${xml(file)}" name="${xml(`line ${i.loc.line}: syntax`)}" time="0">`);
      out.push(`      <failure message="${xml(i.message)}" type="syntax">${xml(formatIssue(i).join('\n'))}</failure>`);
      out.push('    </testcase>');
    }
    out.push('  </testsuite>');
  }
  for (const f of files) {
    const fails = f.steps.filter((s) => s.status === 'fail').length;
    out.push(`  <testsuite name="${xml(f.file)}" tests="${f.steps.length + f.notRun}" failures="${fails}" errors="0" skipped="${f.notRun}" time="${secs(f.durationMs)}">`);
    for (const s of f.steps) {
      const name = s.line > 0 ? `line ${s.line}: ${s.source}` : s.kind;
      out.push(`    <testcase classname="${xml(f.file)}" name="${xml(name)}" time="${secs(s.durationMs)}">`);
      if (s.status === 'fail') {
        const body = stepLines(s, false).map((l) => l.text.trim()).join('\n');
        out.push(`      <failure message="${xml(s.message ?? 'failed')}" type="${s.expectation ? 'expectation' : s.kind}">${xml(body)}</failure>`);
      }
      if (s.output && s.output.length) out.push(`      <system-out>${xml(s.output.join('\n'))}</system-out>`);
      out.push('    </testcase>');
    }
    if (f.notRun) {
      out.push(`    <testcase classname="${xml(f.file)}" name="${xml(`${f.notRun} steps not run`)}" time="0"><skipped message="${f.status === 'interrupted' ? 'interrupted' : 'after a failure'}"/></testcase>`);
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return out.join('\n') + '\n';
}

export function formatIssue(i: SyntaxIssue, kind = 'syntax error'): string[] {
  const out = [i.loc.line > 0 ? `${i.loc.file}:${i.loc.line}: ${kind}: ${i.message}` : i.message];
  if (i.loc.line > 0) out.push(...quoteLine(i.loc));
  if (i.hint) out.push(`    ${i.hint}`);
  return out;
}

function quoteLine(loc: Loc): string[] {
  return loc.text.split('\n').map((t, k) => `  ${String(loc.line + k).padStart(4)} | ${t}`);
}
