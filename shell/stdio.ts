// ringside's way out through stdout and stderr, whatever they are (terminal,
// file or pipe). A write to a pipe whose reader is slow is queued, not done:
// leaving must wait for the queue to empty or the tail of the output is lost
// (`ringside -c "pcap show F" | wc -l`). A reader that goes away (`| head -1`)
// makes the next write fail with EPIPE: that is the normal end of a pipeline,
// so it is not reported; the owner is told once and leaves.

// 128 + SIGPIPE: what the shell reports for cat, tcpdump or git stopped by a
// closed pipe.
export const EXIT_BROKEN_PIPE = 141;

type Closed = () => void;

const closedStreams = new Set<NodeJS.WriteStream>();
let onStdoutClosed: Closed | undefined;

function watch(stream: NodeJS.WriteStream): void {
  stream.on('error', () => {
    const first = !closedStreams.has(stream);
    closedStreams.add(stream);
    // EPIPE, or ERR_STREAM_DESTROYED for writes queued behind it: either way
    // nothing more can reach the reader.
    if (first && stream === process.stdout && onStdoutClosed) onStdoutClosed();
  });
}
watch(process.stdout);
watch(process.stderr);

// Called once when stdout's reader has gone away (replaces any earlier one).
export function whenStdoutCloses(fn: Closed): void {
  onStdoutClosed = fn;
}

export function stdoutClosed(): boolean {
  return closedStreams.has(process.stdout);
}

export function writeTo(stream: NodeJS.WriteStream, text: string): void {
  if (text === '' || closedStreams.has(stream) || stream.destroyed) return;
  stream.write(text);
}

// Resolves when everything written to `stream` so far has been handed to the
// kernel (or can never be).
function drained(stream: NodeJS.WriteStream): Promise<void> {
  if (closedStreams.has(stream) || stream.destroyed || stream.writableLength === 0) return Promise.resolve();
  // Writes complete in order: this callback runs after every earlier one.
  return new Promise((resolve) => { stream.write('', () => resolve()); });
}

// Exit with `code` once stdout and stderr have drained; a success whose
// output could not all be delivered exits EXIT_BROKEN_PIPE, as tcpdump would.
export async function leave(code: number): Promise<never> {
  process.exitCode = code;
  await Promise.all([drained(process.stdout), drained(process.stderr)]);
  return process.exit(code === 0 && stdoutClosed() ? EXIT_BROKEN_PIPE : code);
}
