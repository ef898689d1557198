// The live prompt line: `ringside> ` then the text, the cursor drawn inverse.
// The line never wraps: when it is wider than the terminal, a window of it
// around the cursor is shown, so the live area's height is always known
// (resizing then never leaves half-erased lines behind).
import { Text } from 'ink';
import type { PromptState } from './reducer.js';

export const PROMPT = 'ringside> ';

export interface PromptProps { state: PromptState; color: boolean; busy?: boolean; columns?: number }

export interface PromptView { prefix: string; before: string; at: string; after: string; width: number }

// The prefix (prompt or search label) and the window of text shown, within `columns - 1` cells.
export function promptView(state: PromptState, columns = 80): PromptView {
  const s = state.search;
  const prefix = s ? `(${s.failed ? 'failed ' : ''}reverse-i-search)'${s.query}': ` : PROMPT;
  const text = state.text;
  const cursor = s ? text.length : state.cursor;
  const room = Math.max(1, columns - 1 - prefix.length);   // cells for text + cursor
  let start = 0;
  if (text.length + 1 > room) {
    start = Math.max(0, Math.min(cursor - Math.floor(room / 2), text.length + 1 - room));
  }
  const shown = text.slice(start, start + room);
  const rel = cursor - start;
  const before = shown.slice(0, rel);
  const at = shown[rel] ?? ' ';
  const after = shown.slice(rel + 1);
  const visiblePrefix = prefix.length > columns - 2 ? prefix.slice(0, Math.max(0, columns - 2)) : prefix;
  return { prefix: visiblePrefix, before, at, after, width: visiblePrefix.length + before.length + 1 + after.length };
}

export function Prompt({ state, color, busy, columns = 80 }: PromptProps) {
  if (busy) return <Text dimColor={color}>{' '}</Text>;
  const v = promptView(state, columns);
  return (
    <Text wrap="truncate-end">
      <Text bold={color}>{v.prefix}</Text>
      {v.before}
      <Text inverse>{v.at}</Text>
      {v.after}
    </Text>
  );
}
