// The prompt line's state and every edit to it, as a pure reducer: no I/O,
// no React. Emacs/readline keys; history recall puts the cursor at the end.
export const HISTORY_LIMIT = 1000;

export interface PromptState {
  text: string;
  cursor: number;              // 0..text.length
  history: string[];           // oldest first
  histIndex: number | null;    // entry being shown, null = the line being typed
  draft: string;               // the line being typed, saved while browsing history
  killed: string;              // last text removed by Ctrl-W/U/K, for Ctrl-Y
}

export type PromptAction =
  | { type: 'insert'; text: string }
  | { type: 'backspace' }
  | { type: 'delete' }                 // the character under the cursor
  | { type: 'left' }
  | { type: 'right' }
  | { type: 'wordLeft' }
  | { type: 'wordRight' }
  | { type: 'home' }                   // Home, Ctrl-A
  | { type: 'end' }                    // End, Ctrl-E
  | { type: 'killWordBack' }           // Ctrl-W
  | { type: 'killToStart' }            // Ctrl-U
  | { type: 'killToEnd' }              // Ctrl-K
  | { type: 'yank' }                   // Ctrl-Y
  | { type: 'historyPrev' }            // Up
  | { type: 'historyNext' }            // Down
  | { type: 'replace'; start: number; end: number; text: string } // completion
  | { type: 'clear' }                  // Ctrl-C on a line
  | { type: 'submit' };                // Enter: line goes to history, prompt empties

export function initialPrompt(history: readonly string[] = []): PromptState {
  return { text: '', cursor: 0, history: history.slice(-HISTORY_LIMIT), histIndex: null, draft: '', killed: '' };
}

const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t';

function wordStartBefore(text: string, cursor: number): number {
  let i = cursor;
  while (i > 0 && isSpace(text[i - 1])) i--;
  while (i > 0 && !isSpace(text[i - 1])) i--;
  return i;
}

function wordEndAfter(text: string, cursor: number): number {
  let i = cursor;
  while (i < text.length && isSpace(text[i])) i++;
  while (i < text.length && !isSpace(text[i])) i++;
  return i;
}

function clamp(n: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, n));
}

// Control characters (a paste with a tab or a newline) never enter the line.
function printable(text: string): string {
  return text.replace(/[\x00-\x1f\x7f]/g, (c) => (c === '\t' ? ' ' : ''));
}

function showEntry(s: PromptState, index: number | null): PromptState {
  const text = index === null ? s.draft : s.history[index];
  return { ...s, histIndex: index, text, cursor: text.length };
}

export function promptReducer(s: PromptState, a: PromptAction): PromptState {
  switch (a.type) {
    case 'insert': {
      const t = printable(a.text);
      if (t === '') return s;
      return { ...s, text: s.text.slice(0, s.cursor) + t + s.text.slice(s.cursor), cursor: s.cursor + t.length };
    }
    case 'backspace':
      if (s.cursor === 0) return s;
      return { ...s, text: s.text.slice(0, s.cursor - 1) + s.text.slice(s.cursor), cursor: s.cursor - 1 };
    case 'delete':
      if (s.cursor >= s.text.length) return s;
      return { ...s, text: s.text.slice(0, s.cursor) + s.text.slice(s.cursor + 1) };
    case 'left':
      return s.cursor === 0 ? s : { ...s, cursor: s.cursor - 1 };
    case 'right':
      return s.cursor >= s.text.length ? s : { ...s, cursor: s.cursor + 1 };
    case 'wordLeft':
      return { ...s, cursor: wordStartBefore(s.text, s.cursor) };
    case 'wordRight':
      return { ...s, cursor: wordEndAfter(s.text, s.cursor) };
    case 'home':
      return s.cursor === 0 ? s : { ...s, cursor: 0 };
    case 'end':
      return s.cursor === s.text.length ? s : { ...s, cursor: s.text.length };
    case 'killWordBack': {
      const start = wordStartBefore(s.text, s.cursor);
      if (start === s.cursor) return s;
      return { ...s, text: s.text.slice(0, start) + s.text.slice(s.cursor), cursor: start,
        killed: s.text.slice(start, s.cursor) };
    }
    case 'killToStart':
      if (s.cursor === 0) return s;
      return { ...s, text: s.text.slice(s.cursor), cursor: 0, killed: s.text.slice(0, s.cursor) };
    case 'killToEnd':
      if (s.cursor >= s.text.length) return s;
      return { ...s, text: s.text.slice(0, s.cursor), killed: s.text.slice(s.cursor) };
    case 'yank':
      return s.killed === '' ? s : promptReducer(s, { type: 'insert', text: s.killed });
    case 'historyPrev': {
      if (s.history.length === 0) return s;
      if (s.histIndex === null) return showEntry({ ...s, draft: s.text }, s.history.length - 1);
      if (s.histIndex === 0) return s;
      return showEntry(s, s.histIndex - 1);
    }
    case 'historyNext': {
      if (s.histIndex === null) return s;
      return showEntry(s, s.histIndex + 1 < s.history.length ? s.histIndex + 1 : null);
    }
    case 'replace': {
      const start = clamp(a.start, 0, s.text.length);
      const end = clamp(a.end, start, s.text.length);
      const t = printable(a.text);
      return { ...s, text: s.text.slice(0, start) + t + s.text.slice(end), cursor: start + t.length };
    }
    case 'clear':
      return { ...s, text: '', cursor: 0, histIndex: null, draft: '' };
    case 'submit': {
      const line = s.text.trim();
      let history = s.history;
      if (line !== '' && history[history.length - 1] !== line) {
        history = [...history, line];
        if (history.length > HISTORY_LIMIT) history = history.slice(history.length - HISTORY_LIMIT);
      }
      return { ...s, text: '', cursor: 0, history, histIndex: null, draft: '' };
    }
  }
}
