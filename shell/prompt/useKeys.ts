// Key hook: raw mode on, every input chunk decoded into key events (keys.ts)
// and handed to `onKey` in order. Ink's own useInput is not used because it
// reports the usual Backspace byte (0x7f) as "delete".
import { useEffect, useRef } from 'react';
import { useStdin } from 'ink';
import { decodeKeys, type KeyEvent } from './keys.js';

export function useKeys(onKey: (ev: KeyEvent) => void, active = true): void {
  const { setRawMode, internal_eventEmitter: events } = useStdin();
  const handler = useRef(onKey);
  handler.current = onKey;

  useEffect(() => {
    if (!active) return;
    setRawMode(true);
    return () => setRawMode(false);
  }, [active, setRawMode]);

  useEffect(() => {
    if (!active || !events) return;
    const onInput = (raw: string): void => {
      for (const ev of decodeKeys(raw)) handler.current(ev);
    };
    events.on('input', onInput);
    return () => { events.off('input', onInput); };
  }, [active, events]);
}
