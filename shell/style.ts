// How a StyledLine's style looks: ANSI codes for line mode, Ink props for the
// shell. Colour only when the caller says so (a TTY and NO_COLOR unset).
import type { LineStyle, StyledLine } from '../commands/types.js';

export function colorEnabled(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  // https://no-color.org: NO_COLOR present and not empty disables colour.
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return stream.isTTY === true;
}

const ANSI: Record<LineStyle, [string, string]> = {
  normal: ['', ''],
  error: ['\x1b[31m', '\x1b[39m'],
  warning: ['\x1b[33m', '\x1b[39m'],
  ok: ['\x1b[32m', '\x1b[39m'],
  dim: ['\x1b[2m', '\x1b[22m'],
  heading: ['\x1b[1m', '\x1b[22m'],
};

export function toAnsi(line: StyledLine, color: boolean): string {
  if (!color || !line.style || line.style === 'normal') return line.text;
  const [on, off] = ANSI[line.style] ?? ['', ''];
  return on + line.text + off;
}

export interface InkTextStyle { color?: string; dimColor?: boolean; bold?: boolean }

export function inkStyle(style: LineStyle | undefined, color: boolean): InkTextStyle {
  if (!color) return {};
  switch (style) {
    case 'error': return { color: 'red' };
    case 'warning': return { color: 'yellow' };
    case 'ok': return { color: 'green' };
    case 'dim': return { dimColor: true };
    case 'heading': return { bold: true };
    default: return {};
  }
}
