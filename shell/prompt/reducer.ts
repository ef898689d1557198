// The prompt line's state and every edit to it, as a pure reducer: no I/O,
// no React. Emacs/readline keys; history recall puts the cursor at the end.
// Ctrl-R is readline's reverse incremental search: while it is active, typed
// text and Backspace edit the query, Ctrl-R again finds an older match, Ctrl-G
// (or Ctrl-C) puts back the line as it was, and any other edit or Enter
// accepts the match (the cursor at its end) and then acts on it.
export const HISTORY_LIMIT = 1000;

export interface PromptState {
  text: string;
  cursor: number;              // 0..text.length
  history: string[];           // oldest first
  histIndex: number | null;    // entry being shown, null = the line being typed
  draft: string;               // the line being typed, saved while browsing history
  killed: string;              // last text removed by Ctrl-W/U/K, for Ctrl-Y
  search: SearchState | null;  // Ctrl-R reverse search, when active
}

export interface SearchState {
  query: string;
  match: number | null;        // history index of the entry shown, null = none yet
  failed: boolean;             // the query matches nothing (older than the last match)
  saved: { text: string; cursor: number; histIndex: number | null }; // restored by Ctrl-G
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
  | { type: 'searchStart' }            // Ctrl-R: start, or find the next older match
  | { type: 'searchCancel' }           // Ctrl-G: leave the search, the line as before
  | { type: 'searchAccept' }           // keep the match as the line, leave the search
  | { type: 'submit' };                // Enter: line goes to history, prompt empties

export function initialPrompt(history: readonly string[] = []): PromptState {
  return { text: '', cursor: 0, history: history.slice(-HISTORY_LIMIT), histIndex: null, draft: '', killed: '', search: null };
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

// The newest entry at or before `from` that contains `query`.
function findOlder(history: readonly string[], query: string, from: number): number | null {
  for (let i = Math.min(from, history.length - 1); i >= 0; i--) {
    if (history[i].includes(query)) return i;
  }
  return null;
}

function searchFrom(s: PromptState, search: SearchState, query: string, from: number): PromptState {
  const found = query === '' ? null : findOlder(s.history, query, from);
  if (found === null) {
    // Nothing (older) matches: keep showing the last match, flag the failure.
    return { ...s, search: { ...search, query, failed: query !== '' } };
  }
  const text = s.history[found];
  return { ...s, text, cursor: text.length, histIndex: found, search: { ...search, query, match: found, failed: false } };
}

function searchReducer(s: PromptState, search: SearchState, a: PromptAction): PromptState | undefined {
  switch (a.type) {
    case 'searchStart': {
      if (search.query === '') return s;
      const from = search.match === null ? s.history.length - 1 : search.match - 1;
      return searchFrom(s, search, search.query, from);
    }
    case 'insert': {
      const t = printable(a.text);
      if (t === '') return s;
      const query = search.query + t;
      // A longer query still matches from the current entry.
      return searchFrom(s, search, query, search.match ?? s.history.length - 1);
    }
    case 'backspace': {
      if (search.query === '') return s;
      const query = search.query.slice(0, -1);
      if (query === '') {
        const { saved } = search;
        return { ...s, text: saved.text, cursor: saved.cursor, histIndex: saved.histIndex,
          search: { ...search, query, match: null, failed: false } };
      }
      return searchFrom(s, { ...search, match: null }, query, s.history.length - 1);
    }
    case 'searchCancel':
    case 'clear': {
      const { saved } = search;
      return { ...s, text: saved.text, cursor: saved.cursor, histIndex: saved.histIndex, search: null };
    }
    case 'searchAccept':
      return { ...s, cursor: s.text.length, search: null };
    default:
      return undefined;   // accept, then apply the action to the line
  }
}

export function promptReducer(s: PromptState, a: PromptAction): PromptState {
  if (s.search) {
    const handled = searchReducer(s, s.search, a);
    if (handled) return handled;
    s = { ...s, cursor: s.text.length, search: null };
  }
  switch (a.type) {
    case 'searchStart':
      return { ...s, draft: s.histIndex === null ? s.text : s.draft, search: { query: '', match: null, failed: false,
        saved: { text: s.text, cursor: s.cursor, histIndex: s.histIndex } } };
    case 'searchCancel':
    case 'searchAccept':
      return s;
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
