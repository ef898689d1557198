// Messages from the shell to the dashboard process: newline-delimited JSON on
// the dashboard's stdin. The shell keeps the terminal's input (raw mode stays
// on, no second reader) and forwards key chunks, so no keystroke is lost or
// doubled across the hand-over.
import type { PoolCounters, PortCounters } from '../../native/addon.js';
import type { StyledLine } from '../../commands/types.js';

export interface Occupancy { name: string; used: number; size: number }

export interface MonitorPort {
  id: number;
  name: string;
  state: 'up' | 'down' | 'stopped' | 'closed';
  countsBytes: boolean;
  counters: PortCounters;
}

export interface SnapMessage {
  t: 'snap';
  timeNs: number;
  forwarding: boolean;
  mode: string;
  ports: MonitorPort[];
  pool: PoolCounters;
  occupancy: Occupancy[];     // every queue's rings (show port N rxq|txq Q info)
}

export type MonitorMessage =
  | SnapMessage
  | { t: 'event'; lines: StyledLine[] }
  | { t: 'keys'; data: string }
  | { t: 'quit' };
