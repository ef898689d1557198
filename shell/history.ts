// Command history kept across runs (~/.ringside_history, or $RINGSIDE_HISTORY;
// RINGSIDE_HISTORY= disables it). One command per line, the last HISTORY_CAP kept.
// Failures to read or write are reported once, as a warning, and then ignored.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const HISTORY_CAP = 1000;

export function historyPath(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.RINGSIDE_HISTORY !== undefined) return env.RINGSIDE_HISTORY === '' ? undefined : env.RINGSIDE_HISTORY;
  return path.join(os.homedir(), '.ringside_history');
}

export class HistoryFile {
  readonly entries: string[] = [];
  private onDisk = 0;
  private warned = false;

  constructor(private readonly file: string | undefined, private readonly warn: (msg: string) => void,
              private readonly cap = HISTORY_CAP) {}

  load(): string[] {
    if (!this.file) return this.entries;
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') this.fail('read', e);
      return this.entries;
    }
    const lines = text.split('\n').filter((l) => l.trim() !== '');
    this.onDisk = lines.length;
    this.entries.push(...lines.slice(-this.cap));
    if (lines.length > this.cap) this.rewrite();
    return this.entries;
  }

  append(line: string): void {
    if (line.trim() === '' || line.includes('\n')) return;
    this.entries.push(line);
    if (this.entries.length > this.cap) this.entries.splice(0, this.entries.length - this.cap);
    if (!this.file || this.warned) return;
    try {
      fs.appendFileSync(this.file, line + '\n', { mode: 0o600 });
      this.onDisk++;
    } catch (e) {
      this.fail('write', e);
      return;
    }
    if (this.onDisk > this.cap) this.rewrite();
  }

  private rewrite(): void {
    if (!this.file || this.warned) return;
    try {
      const tmp = `${this.file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, this.entries.map((l) => l + '\n').join(''), { mode: 0o600 });
      fs.renameSync(tmp, this.file);
      this.onDisk = this.entries.length;
    } catch (e) {
      this.fail('write', e);
    }
  }

  private fail(what: 'read' | 'write', e: unknown): void {
    if (this.warned) return;
    this.warned = true;
    const msg = e instanceof Error ? e.message : String(e);
    this.warn(`warning: cannot ${what} history file ${this.file}: ${msg}; history will not be saved`);
  }
}
