// Small helpers shared by the handler tables.
import type { Session } from '../session/session.js';
import type { CommandResult, StyledLine } from './types.js';
import { L } from '../session/lines.js';

export { L } from '../session/lines.js';

export function message(...lines: (string | StyledLine)[]): CommandResult {
  return { kind: 'message', lines: lines.map((l) => (typeof l === 'string' ? L(l) : l)) };
}

export const NONE: CommandResult = { kind: 'none' };

// A word as quoted in a message: a huge one is cut, with its length.
const CLIP = 64;
export function clip(word: string): string {
  return word.length <= CLIP ? word : `${word.slice(0, CLIP)}... (${word.length} characters)`;
}

// 'all' | id -> the port ids it names.
export function selectPorts(session: Session, sel: unknown): number[] {
  return sel === 'all' ? session.ports.ids() : [sel as number];
}
