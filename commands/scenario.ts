// Scenario verbs in the shell: `run FILE` asks the front end to run a scenario
// (.rsc) as `ringside run FILE` does, in its own engine (this session's ports
// are untouched; scenario-runner/in-shell.ts); `expect` and `wait until` work
// at the prompt as they do in a scenario, on this session, with the condition
// language of conditions.ts.
import type { Session } from '../session/session.js';
import type { CommandSpec } from './spec.js';
import { p, w } from './spec.js';
import { filePath, rest } from './params.js';
import { errorResult } from './results.js';
import type { CommandResult } from './types.js';
import { L, message } from './util.js';
import { evaluate, parseCondition } from './conditions.js';
import { ScenarioSyntaxError, formatDuration, parseDuration, splitWords } from './words.js';

// Every subject of scenario-runner/conditions.ts SUBJECTS, as help shows them
// (test/70.scenarios keeps the two in step).
export const CONDITION_SUBJECTS = 'port N, queue P Q, fwd, flow P rule ID, rss P, latency P, pool, output, capture FILE, event NAME, kni P';
const CONDITION_HELP = "SUBJECT ARGS COUNTER OP VALUE, e.g. 'port 0 rx-packets >= 1000' or 'fwd rx-packets == fwd tx-packets'; "
  + `subjects: ${CONDITION_SUBJECTS}; a wrong counter lists the right ones (scenarios/README.md has the table)`;

async function check(s: Session, text: string, defaultWithinMs: number | undefined): Promise<CommandResult> {
  let words: string[];
  let within = defaultWithinMs;
  let cond;
  try {
    words = splitWords(text, true);
    if (words.length >= 2 && words[words.length - 2] === 'within') {
      within = parseDuration(words[words.length - 1], 'within duration');
      words = words.slice(0, -2);
    }
    cond = parseCondition(words);
  } catch (e) {
    if (e instanceof ScenarioSyntaxError) return errorResult('ECONDITION', e.message, e.hint ?? CONDITION_HELP);
    throw e;
  }
  const ctx = { engine: s.engine, missedBaseline: s.missedBaseline };
  let ev = evaluate(cond, ctx);
  const end = Date.now() + (within ?? 0);
  while (!ev.ok && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 20));
    ev = evaluate(cond, ctx);
  }
  if (ev.ok) return message(L(`ok: ${ev.detail ?? ev.actual}`, 'ok'));
  const late = within !== undefined ? ` within ${formatDuration(within)}` : '';
  return errorResult('EEXPECT', `not true${late}: expected ${ev.expected}; actual ${ev.actual}`);
}

export const scenario: CommandSpec[] = [
  {
    tokens: [w('run'), p('file', filePath)],
    help: 'Run a scenario (.rsc: commands, sleep, wait until, expect, shell, topology; see scenarios/README.md) in its own engine, showing each step live.',
    section: 'control',
    handler: (_s, a) => ({ kind: 'message', lines: [], shell: { type: 'run', file: a.file as string } }),
  },
  {
    tokens: [w('expect'), p('condition', rest('condition', CONDITION_HELP))],
    help: "Check a condition now ('... within 2s': until it holds), as in a scenario: expect port 0 rx-packets >= 1000. "
      + `Subjects: ${CONDITION_SUBJECTS}.`,
    section: 'control',
    handler: (s, a) => check(s, a.condition as string, undefined),
  },
  {
    tokens: [w('wait'), w('until'), p('condition', rest('condition', CONDITION_HELP))],
    help: "Wait until a condition holds ('... within 5s'; default 10s), as in a scenario.",
    section: 'control',
    handler: (s, a) => check(s, a.condition as string, 10_000),
  },
];
