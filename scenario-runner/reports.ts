// What the scenario runner reports as it goes: one StepReport per step, one
// FileReport per scenario file. The runner makes them, report.ts draws them and
// the shell's `run FILE` reads them back from a child's JSON lines.
import type { StyledLine } from '../commands/types.js';
import type { Scenario, Step } from './parse.js';

export type StepKind = Step['kind'] | 'topology' | 'startup' | 'cleanup';
export type StepStatus = 'ok' | 'fail';

export interface StepReport {
  file: string;
  line: number;
  source: string;           // the line as written (continuations joined)
  kind: StepKind;
  status: StepStatus;
  durationMs: number;
  expectation: boolean;     // expect / wait until
  detail?: string;          // shown beside an ok step (the actual value), under a failed one (a hint)
  message?: string;         // why it failed
  expected?: string;
  actual?: string;
  output?: string[];        // command or program output
  events?: StyledLine[];    // what the session reported while the step ran (KNI requests and reverts, ends of replays and captures)
}

export type FileStatus = 'pass' | 'fail' | 'interrupted';

export interface FileReport {
  file: string;
  status: FileStatus;
  steps: StepReport[];
  notRun: number;           // steps left when the scenario stopped
  durationMs: number;
  expectations: { passed: number; failed: number };
}

export interface RunHooks {
  fileStart?(sc: Scenario): void;
  step?(r: StepReport): void;
  fileEnd?(r: FileReport): void;
}
