// shell/prompt/reducer.js (every editing key, history) and keys.js (raw input decoding).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { promptReducer, initialPrompt, HISTORY_LIMIT } from '../dist/shell/prompt/reducer.js';
import { decodeKeys } from '../dist/shell/prompt/keys.js';

const run = (state, ...actions) => actions.reduce((s, a) => promptReducer(s, typeof a === 'string' ? { type: a } : a), state);
const typed = (text, cursor = text.length, history = []) => ({ ...initialPrompt(history), text, cursor });
const line = (s) => [s.text, s.cursor];

test('insert at the cursor', () => {
  let s = run(initialPrompt(), { type: 'insert', text: 'sta' }, { type: 'insert', text: 'rt' });
  assert.equal(line(s), ['start', 5]);
  s = run(typed('strt', 2), { type: 'insert', text: 'a' });
  assert.equal(line(s), ['start', 3]);
});

test('insert drops control characters, turns tabs into spaces', () => {
  assert.equal(line(run(initialPrompt(), { type: 'insert', text: 'a\x1bb\tc\x7f' })), ['ab c', 4]);
  const s = initialPrompt();
  assert.is(promptReducer(s, { type: 'insert', text: '\x07' }), s);
});

test('backspace', () => {
  assert.equal(line(run(typed('stop'), 'backspace')), ['sto', 3]);
  assert.equal(line(run(typed('stop', 2), 'backspace')), ['sop', 1]);
  const s = typed('stop', 0);
  assert.is(promptReducer(s, { type: 'backspace' }), s);
});

test('delete (under the cursor)', () => {
  assert.equal(line(run(typed('stop', 0), 'delete')), ['top', 0]);
  assert.equal(line(run(typed('stop', 2), 'delete')), ['stp', 2]);
  const s = typed('stop');
  assert.is(promptReducer(s, { type: 'delete' }), s);
});

test('left / right stop at the ends', () => {
  assert.equal(line(run(typed('ab'), 'left')), ['ab', 1]);
  assert.equal(line(run(typed('ab'), 'left', 'left', 'left')), ['ab', 0]);
  assert.equal(line(run(typed('ab', 0), 'right')), ['ab', 1]);
  assert.equal(line(run(typed('ab', 1), 'right', 'right', 'right')), ['ab', 2]);
});

test('Home / End (Ctrl-A / Ctrl-E)', () => {
  assert.equal(line(run(typed('show port', 4), 'home')), ['show port', 0]);
  assert.equal(line(run(typed('show port', 4), 'end')), ['show port', 9]);
  const s = typed('x', 0);
  assert.is(promptReducer(s, { type: 'home' }), s);
});

test('word left / right', () => {
  assert.equal(line(run(typed('show port  stats'), 'wordLeft')), ['show port  stats', 11]);
  assert.equal(line(run(typed('show port  stats'), 'wordLeft', 'wordLeft')), ['show port  stats', 5]);
  assert.equal(line(run(typed('show port  stats', 0), 'wordRight')), ['show port  stats', 4]);
  assert.equal(line(run(typed('show port  stats', 4), 'wordRight')), ['show port  stats', 9]);
});

test('Ctrl-W kills the word before the cursor (and the spaces after it)', () => {
  assert.equal(line(run(typed('show port stats'), 'killWordBack')), ['show port ', 10]);
  assert.equal(line(run(typed('show port  '), 'killWordBack')), ['show ', 5]);
  assert.equal(line(run(typed('show port stats', 9), 'killWordBack')), ['show  stats', 5]);
  const s = typed('abc', 0);
  assert.is(promptReducer(s, { type: 'killWordBack' }), s);
});

test('Ctrl-U kills to the start, Ctrl-K to the end', () => {
  assert.equal(line(run(typed('show port stats', 5), 'killToStart')), ['port stats', 0]);
  assert.equal(line(run(typed('show port stats', 9), 'killToEnd')), ['show port', 9]);
  const s = typed('abc');
  assert.is(promptReducer(s, { type: 'killToEnd' }), s);
  const t = typed('abc', 0);
  assert.is(promptReducer(t, { type: 'killToStart' }), t);
});

test('Ctrl-Y yanks the last killed text', () => {
  const s = run(typed('show port stats', 9), 'killToEnd', 'home', 'yank');
  assert.equal(line(s), [' statsshow port', 6]);
  const t = typed('x');
  assert.is(promptReducer(t, { type: 'yank' }), t);
});

test('replace (completion) puts the cursor after the inserted text', () => {
  assert.equal(line(run(typed('sh po', 2), { type: 'replace', start: 0, end: 2, text: 'show ' })), ['show  po', 5]);
  assert.equal(line(run(typed('show p'), { type: 'replace', start: 5, end: 6, text: 'port ' })), ['show port ', 10]);
  // out-of-range indices are clamped
  assert.equal(line(run(typed('ab'), { type: 'replace', start: 5, end: 9, text: 'c' })), ['abc', 3]);
});

test('clear empties the line', () => {
  assert.equal(line(run(typed('start', 2), 'clear')), ['', 0]);
});

test('submit appends to history (trimmed, no empty, no consecutive duplicate)', () => {
  let s = run(typed(' start '), 'submit');
  assert.equal(line(s), ['', 0]);
  assert.equal(s.history, ['start']);
  s = run({ ...s, text: 'start', cursor: 5 }, 'submit');
  assert.equal(s.history, ['start']);
  s = run({ ...s, text: '   ', cursor: 3 }, 'submit');
  assert.equal(s.history, ['start']);
  s = run({ ...s, text: 'stop', cursor: 4 }, 'submit');
  assert.equal(s.history, ['start', 'stop']);
});

test('history is capped', () => {
  const many = Array.from({ length: HISTORY_LIMIT + 5 }, (_, i) => `cmd ${i}`);
  const s0 = initialPrompt(many);
  assert.is(s0.history.length, HISTORY_LIMIT);
  assert.is(s0.history[0], 'cmd 5');
  const s = run({ ...s0, text: 'new', cursor: 3 }, 'submit');
  assert.is(s.history.length, HISTORY_LIMIT);
  assert.is(s.history[HISTORY_LIMIT - 1], 'new');
  assert.is(s.history[0], 'cmd 6');
});

test('history prev/next with the cursor at the end; the draft comes back', () => {
  const h = ['show port stats all', 'start', 'stop'];
  let s = typed('sh', 1, h);
  s = run(s, 'historyPrev');
  assert.equal(line(s), ['stop', 4]);
  s = run(s, 'historyPrev');
  assert.equal(line(s), ['start', 5]);
  s = run(s, 'historyPrev');
  assert.equal(line(s), ['show port stats all', 19]);
  const top = run(s, 'historyPrev');
  assert.is(top, s, 'stays on the oldest entry');
  s = run(s, 'historyNext');
  assert.equal(line(s), ['start', 5]);
  s = run(s, 'historyNext', 'historyNext');
  assert.equal(line(s), ['sh', 2], 'back to the draft, cursor at its end');
  assert.is(s.histIndex, null);
  const bottom = run(s, 'historyNext');
  assert.is(bottom, s, 'down at the bottom does nothing');
});

test('history with no entries does nothing', () => {
  const s = typed('x');
  assert.is(promptReducer(s, { type: 'historyPrev' }), s);
  assert.is(promptReducer(s, { type: 'historyNext' }), s);
});

test('an edited recalled entry is submitted as edited', () => {
  let s = run(typed('', 0, ['set fwd io']), 'historyPrev', 'backspace', 'backspace', { type: 'insert', text: 'mac' });
  assert.equal(line(s), ['set fwd mac', 11]);
  s = run(s, 'submit');
  assert.equal(s.history, ['set fwd io', 'set fwd mac']);
  assert.is(s.histIndex, null);
});

test('decodeKeys: text, controls and escape sequences', () => {
  assert.equal(decodeKeys('start'), [{ type: 'text', text: 'start' }]);
  assert.equal(decodeKeys('start\r'), [{ type: 'text', text: 'start' }, { type: 'key', name: 'enter' }]);
  assert.equal(decodeKeys('a\r\nb'), [{ type: 'text', text: 'a' }, { type: 'key', name: 'enter' }, { type: 'text', text: 'b' }]);
  assert.equal(decodeKeys('\x7f'), [{ type: 'key', name: 'backspace' }]);
  assert.equal(decodeKeys('\b'), [{ type: 'key', name: 'backspace' }]);
  assert.equal(decodeKeys('\x1b[3~'), [{ type: 'key', name: 'delete' }]);
  assert.equal(decodeKeys('\t'), [{ type: 'key', name: 'tab' }]);
  assert.equal(decodeKeys('?'), [{ type: 'text', text: '?' }]);
  const keys = { '\x01': 'ctrlA', '\x03': 'ctrlC', '\x04': 'ctrlD', '\x05': 'ctrlE', '\x0b': 'ctrlK',
    '\x15': 'ctrlU', '\x17': 'ctrlW', '\x19': 'ctrlY', '\x1b[A': 'up', '\x1b[B': 'down', '\x1b[C': 'right',
    '\x1b[D': 'left', '\x1b[H': 'home', '\x1b[F': 'end', '\x1bOH': 'home', '\x1b[1~': 'home', '\x1b[4~': 'end' };
  for (const [raw, name] of Object.entries(keys)) assert.equal(decodeKeys(raw), [{ type: 'key', name }], JSON.stringify(raw));
  assert.equal(decodeKeys('\x1b[99~'), [], 'unknown sequences are dropped');
  assert.equal(decodeKeys('\x00'), [], 'unknown controls are dropped');
});

test.run();
