// Small helpers shared by the handler tables.
import type { Session } from '../session/session.js';
import type { CommandResult, StyledLine } from './types.js';

export const L = (text: string, style?: StyledLine['style']): StyledLine => (style ? { text, style } : { text });

export function message(...lines: (string | StyledLine)[]): CommandResult {
  return { kind: 'message', lines: lines.map((l) => (typeof l === 'string' ? L(l) : l)) };
}

export const NONE: CommandResult = { kind: 'none' };

// 'all' | id -> the port ids it names.
export function selectPorts(session: Session, sel: unknown): number[] {
  return sel === 'all' ? session.engine.portIds() : [sel as number];
}
