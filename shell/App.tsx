// The interactive shell: finished output goes once into Ink's <Static>
// scrollback; the live area below it is the prompt line and a one-line status
// (ports up, forwarding mode, running or stopped, total rx/tx pps). Both live
// lines are kept within the terminal's width, so the live area is always two
// rows and resizing can erase it exactly. `monitor` hands the screen to the
// dashboard process while this component keeps the keyboard and forwards it
// (monitor/handover.ts).
import { useEffect, useRef, useState } from 'react';
import { Box, Static, Text, useStdout } from 'ink';
import type { CommandLayer, StyledLine } from '../commands/types.js';
import type { Session } from '../session/session.js';
import { Runner } from './runner.js';
import type { OutputBus } from './output.js';
import { Prompt, PROMPT, promptView } from './prompt/Prompt.js';
import { initialPrompt, promptReducer, type PromptAction, type PromptState } from './prompt/reducer.js';
import { useKeys } from './prompt/useKeys.js';
import { decodeKeys, type KeyEvent, type KeyName } from './prompt/keys.js';
import { formatStatus, StatusSampler } from './status.js';
import type { MonitorHandle } from './monitor/host.js';
import { useMonitorHandover } from './monitor/handover.js';
import { StyledText } from './StyledText.js';
import { useColumns, useResizeErase } from './terminal.js';

export interface AppProps {
  session: Session;
  layer: CommandLayer;
  color: boolean;
  history: string[];                       // loaded entries, oldest first
  onCommand?: (line: string) => void;      // each command run (to save history)
  output: OutputBus;                       // asynchronous lines from elsewhere
  isForwarding: () => boolean;
  onQuit: (lines: StyledLine[]) => void;   // print these after unmount, then shut down
  runner?: Runner;                         // text or JSON output; one is made if absent
  statusMs?: number;                       // status line refresh period; 0 = no status line
  openMonitor?: (intervalMs: number) => MonitorHandle; // absent: `monitor` prints why it cannot run
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
  ctrlR: { type: 'searchStart' }, ctrlG: { type: 'searchCancel' },
};

function formatChoices(choices: { word: string; help: string }[]): StyledLine[] {
  const width = Math.min(24, Math.max(...choices.map((c) => c.word.length)));
  return choices.map((c) => ({ text: c.help ? `  ${c.word.padEnd(width)}  ${c.help}` : `  ${c.word}` }));
}

export function App(props: AppProps) {
  const { session, layer, color, history, onCommand, output, isForwarding, onQuit, openMonitor } = props;
  const statusMs = props.statusMs ?? 1000;
  const runner = useRef(props.runner ?? new Runner(layer, session, color)).current;
  const [blocks, setBlocks] = useState<Block[]>([]);
  const [view, setView] = useState<PromptState>(() => initialPrompt(history));
  const [busy, setBusy] = useState(false);
  const [quitLines, setQuitLines] = useState<StyledLine[] | undefined>(undefined);
  const [status, setStatus] = useState('');
  const columns = useColumns();
  // Keys in one input chunk are handled before React re-renders, so the
  // prompt state and the queue live in refs and the view mirrors them.
  const state = useRef(view);
  const busyRef = useRef(false);
  const queue = useRef<KeyEvent[]>([]);
  const lastWasTab = useRef(false);
  const nextId = useRef(0);
  const done = useRef(false);
  const liveWidths = useRef<number[]>([]);
  useResizeErase(liveWidths);

  const show = (lines: StyledLine[]): void => {
    if (lines.length === 0) return;
    const block = { id: nextId.current++, lines };
    setBlocks((b) => [...b, block]);
  };
  const monitor = useMonitorHandover({
    openMonitor, show,
    resume: () => finish(),
    typed: (raw) => { for (const ev of decodeKeys(raw)) handle(ev); },
  });
  const monitorOpen = monitor.open;
  const print = (lines: StyledLine[]): void => {
    if (lines.length === 0 || monitor.hold(lines)) return;
    show(lines);
  };
  const apply = (a: PromptAction): void => {
    state.current = promptReducer(state.current, a);
    setView(state.current);
  };
  const echo = (suffix = ''): StyledLine => ({ text: PROMPT + state.current.text + suffix });

  useEffect(() => output.attach((lines) => print(runner.log(lines))), [output]);
  useEffect(() => { if (quitLines) onQuit(quitLines); }, [quitLines]);

  // The status line: sampled from engine snapshots, paused while the dashboard is up.
  useEffect(() => {
    if (statusMs <= 0 || monitorOpen) return;
    const sampler = new StatusSampler(session.engine);
    const tick = (): void => {
      if (session.isShutdown) return;
      const info = sampler.sample();
      if (info) setStatus(formatStatus(info));
    };
    tick();
    const timer = setInterval(tick, statusMs);
    return () => clearInterval(timer);
  }, [statusMs, monitorOpen, session]);

  // `record`: typed commands go to history; Ctrl-C's stop and Ctrl-D's quit do not.
  const run = (line: string, echoLine: StyledLine, record = true): void => {
    busyRef.current = true;
    setBusy(true);
    print([echoLine]);
    if (line.trim() === '') { finish(); return; }
    if (record) onCommand?.(line.trim());
    void runner.run(line).then((out) => {
      if (out.quit) {
        done.current = true;
        setQuitLines(out.lines);   // onQuit runs once the echo above is on screen
        return;
      }
      if (out.action?.type === 'monitor' && openMonitor) {
        monitor.start(out.action.intervalMs);
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
      // During Ctrl-R everything typed is the query.
      if (state.current.search) { apply({ type: 'insert', text: ev.text }); return; }
      // '?' is never inserted: like testpmd, it lists what may come next.
      ev.text.split(/(\?)/).forEach((part) => {
        if (part === '?') describe();
        else if (part !== '') apply({ type: 'insert', text: part });
      });
      return;
    }
    switch (ev.name) {
      case 'enter': {
        if (state.current.search) apply({ type: 'searchAccept' });
        const line = state.current.text;
        const echoLine = echo();
        apply({ type: 'submit' });
        run(line, echoLine);
        return;
      }
      case 'tab':
        if (state.current.search) apply({ type: 'searchAccept' });
        lastWasTab.current = wasTab;
        complete();
        return;
      case 'ctrlC': {
        if (state.current.search) { apply({ type: 'searchCancel' }); return; }
        let forwarding = false;
        try { forwarding = isForwarding(); } catch { /* engine gone */ }
        if (forwarding) {
          apply({ type: 'clear' });
          run('stop', { text: PROMPT + 'stop', style: 'dim' }, false);
        } else if (state.current.text !== '') {
          print([echo('^C')]);
          apply({ type: 'clear' });
        } else {
          print([{ text: "(type 'quit' or press Ctrl-D to exit)", style: 'dim' }]);
        }
        return;
      }
      case 'ctrlD':
        if (state.current.search) apply({ type: 'searchAccept' });
        if (state.current.text === '') run('quit', { text: PROMPT + 'quit' }, false);
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

  useKeys(handle, true, monitor.onRaw);

  const live = !quitLines && !monitorOpen;
  const { stdout } = useStdout();
  const showStatus = live && statusMs > 0 && status !== '' && (stdout.rows === undefined || stdout.rows === 0 || stdout.rows > 3);
  const statusText = showStatus ? status.slice(0, Math.max(1, columns - 1)) : '';
  liveWidths.current = !live ? [] : [
    busy ? 1 : promptView(view, columns).width,
    ...(showStatus ? [statusText.length] : []),
  ];

  return (
    <>
      <Static items={blocks}>
        {(block) => (
          <Box key={block.id} flexDirection="column">
            {block.lines.map((line, i) => <StyledText key={i} line={line} color={color} />)}
          </Box>
        )}
      </Static>
      {live ? <Prompt state={view} color={color} busy={busy} columns={columns} /> : null}
      {showStatus ? <Text dimColor={color} wrap="truncate-end">{statusText}</Text> : null}
    </>
  );
}
