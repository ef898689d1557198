// Reading a file of commands (`load`, --cmdline-file, a scenario and its
// includes) with limits, so that /dev/zero or a file that is not commands
// gets one clear line instead of growing the shell to gigabytes.
import fs from 'node:fs';
import { errorResult, type ErrorResult } from './results.js';

export const MAX_SCRIPT_BYTES = 1 << 20;
export const MAX_LINE_CHARS = 4096;

// The error for a command line over the limit, wherever it is typed or read.
export function lineTooLong(chars: number): ErrorResult {
  return errorResult('ELINE_LONG', `the line is ${chars} characters long: a command takes at most ${MAX_LINE_CHARS}`);
}

export class ScriptFileError extends Error {
  constructor(message: string, readonly errno?: string) { super(message); }
}

// The file's lines; throws ScriptFileError saying what was wrong. Reads at
// most MAX_SCRIPT_BYTES + 1 bytes, whatever the file is.
export function readScriptLines(file: string): string[] {
  let fd: number;
  try { fd = fs.openSync(file, 'r'); } catch (e) { throw unreadable(e); }
  const buf = Buffer.alloc(MAX_SCRIPT_BYTES + 1);
  let n = 0;
  try {
    if (fs.fstatSync(fd).isDirectory()) throw new ScriptFileError('it is a directory', 'EISDIR');
    for (let got = -1; got !== 0 && n < buf.length;) {
      got = fs.readSync(fd, buf, n, buf.length - n, null);
      n += got;
    }
  } catch (e) {
    throw e instanceof ScriptFileError ? e : unreadable(e);
  } finally {
    fs.closeSync(fd);
  }
  if (n > MAX_SCRIPT_BYTES) throw new ScriptFileError(`it is larger than ${MAX_SCRIPT_BYTES >> 20} MiB: not a command file`, 'EFBIG');
  const lines = buf.toString('utf8', 0, n).split(/\r?\n/);
  const long = lines.findIndex((l) => l.length > MAX_LINE_CHARS);
  if (long >= 0) throw new ScriptFileError(`line ${long + 1} is longer than ${MAX_LINE_CHARS} characters: not a command file`, 'E2BIG');
  return lines;
}

function unreadable(e: unknown): ScriptFileError {
  const err = e as NodeJS.ErrnoException;
  return new ScriptFileError(err.code === 'ENOENT' ? 'no such file' : err.message, err.code);
}
