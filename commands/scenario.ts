// `run FILE`: runs a scenario (.rsc) in this session, showing each step as it
// runs. The runner is loaded on first use (it imports this table to check
// command lines, so a static import would be a cycle).
import type { CommandSpec } from './spec.js';
import { p, w } from './spec.js';
import { filePath } from './params.js';

export const scenario: CommandSpec[] = [
  {
    tokens: [w('run'), p('file', filePath)],
    help: 'Run a scenario file (.rsc: commands, sleep, wait until, expect, shell, topology; see scenarios/README.md) and show each step live.',
    section: 'control',
    handler: async (s, a) => {
      const { runInSession } = await import('../scenarios/cli.js');
      return runInSession(s, a.file as string, (lines) => s.log(lines));
    },
  },
];
