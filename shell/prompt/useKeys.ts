// Key hook: raw mode on, every input chunk decoded into key events (keys.ts)
// and handed to `onKey` in order. Ink's own useInput is not used because it
// reports the usual Backspace byte (0x7f) as "delete". `onRaw`, when given,
// sees each raw chunk first and may take it (the monitor forwards keys so).
import { useEffect, useRef } from 'react';
import { useStdin } from 'ink';
import { decodeKeys, type KeyEvent } from './keys.js';

export function useKeys(onKey: (ev: KeyEvent) => void, active = true, onRaw?: (raw: string) => boolean): void {
  const { setRawMode, internal_eventEmitter: events } = useStdin();
  const handler = useRef(onKey);
  handler.current = onKey;
  const rawHandler = useRef(onRaw);
  rawHandler.current = onRaw;

  useEffect(() => {
    if (!active) return;
    setRawMode(true);
    return () => setRawMode(false);
  }, [active, setRawMode]);

  useEffect(() => {
    if (!active || !events) return;
    const onInput = (raw: string): void => {
      if (rawHandler.current?.(raw)) return;
      for (const ev of decodeKeys(raw)) handler.current(ev);
    };
    events.on('input', onInput);
    return () => { events.off('input', onInput); };
  }, [active, events]);
}
