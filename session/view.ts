// How the session's own output is drawn: the quit summary, engine events and
// verbose packets reach the log as lines, and lines are the command layer's
// to draw. The command layer (commands/session-view.ts) supplies this view,
// and the front end that makes a session passes it; the session calls it and
// never imports a renderer.
import type { StyledLine } from './lines.js';
import type { FwdStats } from './fwd.js';
import type { CaptureInfo } from '../native/capture.js';
import type { NetEvent } from '../native/netevents.js';
import type { VerboseRecord } from '../native/verbose.js';

export interface SessionView {
  fwdStop(stats: FwdStats): StyledLine[];
  captureStop(captures: CaptureInfo[]): StyledLine[];
  // traced: `set ifproxy trace` asks for the event's trace line too.
  event(e: NetEvent, traced: boolean): StyledLine[];
  verbose(records: VerboseRecord[], level: number, pool: string, suppressed: number): StyledLine[];
}
