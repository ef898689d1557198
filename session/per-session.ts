// One helper object per session, made on first use (event hub, verbose hub).
import type { Session } from './session.js';

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
