// A line of output: what the session logs (start-up, events, verbose packets,
// quit) and what every renderer of the command layer draws.
export type LineStyle = 'normal' | 'error' | 'warning' | 'ok' | 'dim' | 'heading';
// json: what --json prints for a line that is data (a verbose packet) rather
// than a log message.
export interface StyledLine { text: string; style?: LineStyle; json?: Record<string, unknown> }

export const L = (text: string, style?: LineStyle): StyledLine => (style ? { text, style } : { text });
