// The one error class that crosses from the engine and the command layer to
// the user: a stable string code plus a message that says what to do.
export class RingsideError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
    this.name = 'RingsideError';
  }
}
