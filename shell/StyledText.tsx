// One scrollback line. It is written whole, never broken by Ink: the terminal
// wraps it softly (so a long JSON line copies as one line and re-wraps on resize).
import { Box, Text } from 'ink';
import type { StyledLine } from '../commands/types.js';
import { inkStyle } from './style.js';

export function StyledText({ line, color }: { line: StyledLine; color: boolean }) {
  const text = line.text === '' ? ' ' : line.text;
  return (
    <Box width={text.length} flexShrink={0}>
      <Text {...inkStyle(line.style, color)} wrap="truncate">{text}</Text>
    </Box>
  );
}
