// State the command layer keeps per session (knobs, csum tunnels), made on first use.
import type { Session } from '../session/session.js';

export function perSession<T>(make: (s: Session) => T): (s: Session) => T {
  const made = new WeakMap<Session, T>();
  return (s) => {
    let v = made.get(s);
    if (v === undefined) {
      v = make(s);
      made.set(s, v);
    }
    return v;
  };
}
