// Raw terminal input -> key events. Pure. Ink hands us one chunk per escape
// sequence, but plain chunks may mix text and control characters (a paste, or
// a test writing "start\r"), so those are split here.
export type KeyName =
  | 'enter' | 'tab' | 'backspace' | 'delete' | 'left' | 'right' | 'up' | 'down'
  | 'home' | 'end' | 'wordLeft' | 'wordRight'
  | 'ctrlA' | 'ctrlC' | 'ctrlD' | 'ctrlE' | 'ctrlK' | 'ctrlL' | 'ctrlU' | 'ctrlW' | 'ctrlY'
  | 'ctrlB' | 'ctrlF' | 'ctrlP' | 'ctrlN' | 'ctrlR' | 'ctrlG';

export type KeyEvent = { type: 'text'; text: string } | { type: 'key'; name: KeyName };

const ESCAPES: Record<string, KeyName> = {
  '\x1b[A': 'up', '\x1bOA': 'up',
  '\x1b[B': 'down', '\x1bOB': 'down',
  '\x1b[C': 'right', '\x1bOC': 'right',
  '\x1b[D': 'left', '\x1bOD': 'left',
  '\x1b[H': 'home', '\x1bOH': 'home', '\x1b[1~': 'home', '\x1b[7~': 'home',
  '\x1b[F': 'end', '\x1bOF': 'end', '\x1b[4~': 'end', '\x1b[8~': 'end',
  '\x1b[3~': 'delete',
  '\x1b[1;5D': 'wordLeft', '\x1b[1;3D': 'wordLeft', '\x1bb': 'wordLeft',
  '\x1b[1;5C': 'wordRight', '\x1b[1;3C': 'wordRight', '\x1bf': 'wordRight',
  '\x1b\x7f': 'ctrlW', '\x1b\b': 'ctrlW',
};

const CONTROLS: Record<string, KeyName> = {
  '\r': 'enter', '\n': 'enter', '\t': 'tab',
  '\x7f': 'backspace', '\b': 'backspace',
  '\x01': 'ctrlA', '\x02': 'ctrlB', '\x03': 'ctrlC', '\x04': 'ctrlD', '\x05': 'ctrlE',
  '\x06': 'ctrlF', '\x0b': 'ctrlK', '\x0c': 'ctrlL', '\x0e': 'ctrlN', '\x10': 'ctrlP',
  '\x15': 'ctrlU', '\x17': 'ctrlW', '\x19': 'ctrlY', '\x12': 'ctrlR', '\x07': 'ctrlG',
};

export function decodeKeys(raw: string): KeyEvent[] {
  if (raw.startsWith('\x1b')) {
    const name = ESCAPES[raw];
    return name ? [{ type: 'key', name }] : [];   // unknown sequences are dropped
  }
  const out: KeyEvent[] = [];
  let text = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === '\r' && raw[i + 1] === '\n') continue;  // CRLF is one Enter
    const name = CONTROLS[c];
    if (name || c < ' ') {
      if (text) { out.push({ type: 'text', text }); text = ''; }
      if (name) out.push({ type: 'key', name });
    } else {
      text += c;
    }
  }
  if (text) out.push({ type: 'text', text });
  return out;
}
