// The one error class that crosses from the engine and the command layer to
// the user: a stable code from the engine's table (error_codes.def) plus a
// message that says what to do.
import { ERROR_CODES, type ErrorCode } from './names.generated.js';

export type { ErrorCode };

export class RingsideError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.code = code;
    this.name = 'RingsideError';
  }
}

const KNOWN = new Set<string>(ERROR_CODES);

// The code for an error whose code is known only at run time (a Node system
// error's errno name): itself when the table has it, else ESYSTEM.
export function errorCodeOf(name: string | undefined): ErrorCode {
  return name !== undefined && KNOWN.has(name) ? name as ErrorCode : 'ESYSTEM';
}
