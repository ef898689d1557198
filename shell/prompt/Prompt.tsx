// The live prompt line: `ringside> ` then the text, the cursor drawn inverse.
import { Text } from 'ink';
import type { PromptState } from './reducer.js';

export const PROMPT = 'ringside> ';

export interface PromptProps { state: PromptState; color: boolean; busy?: boolean }

export function Prompt({ state, color, busy }: PromptProps) {
  if (busy) return <Text dimColor={color}>{' '}</Text>;
  const before = state.text.slice(0, state.cursor);
  const at = state.text[state.cursor] ?? ' ';
  const after = state.text.slice(state.cursor + 1);
  return (
    <Text>
      <Text bold={color}>{PROMPT}</Text>
      {before}
      <Text inverse>{at}</Text>
      {after}
    </Text>
  );
}
