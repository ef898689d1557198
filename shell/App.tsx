// The interactive shell: finished output goes once into Ink's <Static>
// scrollback; the live area below it is the prompt line.
import { useEffect, useRef, useState } from 'react';
import { Box, Static, Text } from 'ink';
import type { CommandLayer, StyledLine } from '../commands/types.js';
import type { Session } from '../session/session.js';
import { inkStyle } from './style.js';
import { runLine } from './runner.js';
import type { OutputBus } from './output.js';
import { Prompt, PROMPT } from './prompt/Prompt.js';
import { initialPrompt, promptReducer, type PromptAction, type PromptState } from './prompt/reducer.js';
import { useKeys } from './prompt/useKeys.js';
import type { KeyEvent, KeyName } from './prompt/keys.js';

export interface AppProps {
  session: Session;
  layer: CommandLayer;
  color: boolean;
  history: string[];                       // loaded entries, oldest first
  onCommand?: (line: string) => void;      // each command run (to save history)
  output: OutputBus;                       // asynchronous lines from elsewhere
  isForwarding: () => boolean;
  onQuit: (lines: StyledLine[]) => void;   // print these after unmount, then shut down
}

interface Block { id: number; lines: StyledLine[] }

const EDIT_KEYS: Partial<Record<KeyName, PromptAction>> = {
  backspace: { type: 'backspace' }, delete: { type: 'delete' },
  left: { type: 'left' }, right: { type: 'right' }, ctrlB: { type: 'left' }, ctrlF: { type: 'right' },
  wordLeft: { type: 'wordLeft' }, wordRight: { type: 'wordRight' },
  home: { type: 'home' }, end: { type: 'end' }, ctrlA: { type: 'home' }, ctrlE: { type: 'end' },
  ctrlW: { type: 'killWordBack' }, ctrlU: { type: 'killToStart' }, ctrlK: { type: 'killToEnd' },
  ctrlY: { type: 'yank' },
  up: { type: 'historyPrev' }, down: { type: 'historyNext' }, ctrlP: { type: 'historyPrev' }, ctrlN: { type: 'historyNext' },
};

function StyledText({ line, color }: { line: StyledLine; color: boolean }) {
  return <Text {...inkStyle(line.style, color)}>{line.text === '' ? ' ' : line.text}</Text>;
}

function formatChoices(choices: { word: string; help: string }[]): StyledLine[] {
  const width = Math.min(24, Math.max(...choices.map((c) => c.word.length)));
  return choices.map((c) => ({ text: c.help ? `  ${c.word.padEnd(width)}  ${c.help}` : `  ${c.word}` }));
}

export function App({ session, layer, color, history, onCommand, output, isForwarding, onQuit }: AppProps) {
  const [blocks, setBlocks] = useState<Block[]>([]);
  const [view, setView] = useState<PromptState>(() => initialPrompt(history));
  const [busy, setBusy] = useState(false);
  const [quitLines, setQuitLines] = useState<StyledLine[] | undefined>(undefined);
  // Keys in one input chunk are handled before React re-renders, so the
  // prompt state and the queue live in refs and the view mirrors them.
  const state = useRef(view);
  const busyRef = useRef(false);
  const queue = useRef<KeyEvent[]>([]);
  const lastWasTab = useRef(false);
  const nextId = useRef(0);
  const done = useRef(false);

  const print = (lines: StyledLine[]): void => {
    if (lines.length === 0) return;
    const block = { id: nextId.current++, lines };
    setBlocks((b) => [...b, block]);
  };
  const apply = (a: PromptAction): void => {
    state.current = promptReducer(state.current, a);
    setView(state.current);
  };
  const echo = (suffix = ''): StyledLine => ({ text: PROMPT + state.current.text + suffix });

  useEffect(() => output.attach(print), [output]);
  useEffect(() => { if (quitLines) onQuit(quitLines); }, [quitLines]);

  const run = (line: string, echoLine: StyledLine): void => {
    busyRef.current = true;
    setBusy(true);
    print([echoLine]);
    if (line.trim() === '') { finish(); return; }
    onCommand?.(line.trim());
    void runLine(layer, session, line, color).then((out) => {
      if (out.quit) {
        done.current = true;
        setQuitLines(out.lines);   // onQuit runs once the echo above is on screen
        return;
      }
      print(out.lines);
      finish();
    });
  };

  const finish = (): void => {
    busyRef.current = false;
    setBusy(false);
    while (!busyRef.current && !done.current && queue.current.length > 0) {
      handle(queue.current.shift()!);
    }
  };

  const complete = (): void => {
    const s = state.current;
    let c;
    try {
      c = layer.complete(session, s.text, s.cursor);
    } catch {
      return;
    }
    const current = s.text.slice(c.start, s.cursor);
    if (c.insert !== current) {
      apply({ type: 'replace', start: c.start, end: s.cursor, text: c.insert });
      return;
    }
    if (c.choices.length > 1 && lastWasTab.current) {
      print([echo(), ...formatChoices(c.choices)]);
      return;
    }
    lastWasTab.current = c.choices.length > 1;
  };

  const describe = (): void => {
    const s = state.current;
    let lines: StyledLine[];
    try {
      lines = layer.describeNext(session, s.text, s.cursor);
    } catch (e) {
      lines = [{ text: e instanceof Error ? e.message : String(e), style: 'error' }];
    }
    print([echo('?'), ...lines]);
  };

  const handle = (ev: KeyEvent): void => {
    if (done.current) return;
    if (busyRef.current) { queue.current.push(ev); return; }
    const wasTab = lastWasTab.current;
    lastWasTab.current = false;
    if (ev.type === 'text') {
      // '?' is never inserted: like testpmd, it lists what may come next.
      ev.text.split(/(\?)/).forEach((part) => {
        if (part === '?') describe();
        else if (part !== '') apply({ type: 'insert', text: part });
      });
      return;
    }
    switch (ev.name) {
      case 'enter': {
        const line = state.current.text;
        const echoLine = echo();
        apply({ type: 'submit' });
        run(line, echoLine);
        return;
      }
      case 'tab':
        lastWasTab.current = wasTab;
        complete();
        return;
      case 'ctrlC': {
        let forwarding = false;
        try { forwarding = isForwarding(); } catch { /* engine gone */ }
        if (forwarding) {
          apply({ type: 'clear' });
          run('stop', { text: PROMPT + 'stop', style: 'dim' });
        } else if (state.current.text !== '') {
          print([echo('^C')]);
          apply({ type: 'clear' });
        } else {
          print([{ text: "(type 'quit' or press Ctrl-D to exit)", style: 'dim' }]);
        }
        return;
      }
      case 'ctrlD':
        if (state.current.text === '') run('quit', { text: PROMPT + 'quit' });
        else apply({ type: 'delete' });
        return;
      case 'ctrlL':
        return;
      default: {
        const action = EDIT_KEYS[ev.name];
        if (action) apply(action);
      }
    }
  };

  useKeys(handle);

  return (
    <>
      <Static items={blocks}>
        {(block) => (
          <Box key={block.id} flexDirection="column">
            {block.lines.map((line, i) => <StyledText key={i} line={line} color={color} />)}
          </Box>
        )}
      </Static>
      {quitLines ? null : <Prompt state={view} color={color} busy={busy} />}
    </>
  );
}
