// Lines of a stream with a length limit: a line longer than `max` is not
// kept (so `ringside < /dev/zero` holds at most `max` characters), and is
// reported by its length instead. readline would keep all of it.
export type BoundedLine = { line: string } | { tooLong: number };

export async function* boundedLines(input: NodeJS.ReadableStream, max: number): AsyncGenerator<BoundedLine> {
  let pending = '';
  let dropped = 0;  // characters of the current line thrown away, once it outgrew max
  input.setEncoding('utf8');
  for await (const chunk of input as AsyncIterable<string>) {
    let start = 0;
    for (let nl = chunk.indexOf('\n'); nl >= 0; nl = chunk.indexOf('\n', start)) {
      const piece = chunk.slice(start, nl);
      start = nl + 1;
      if (dropped > 0) yield { tooLong: dropped + piece.length };
      else if (pending.length + piece.length > max) yield { tooLong: pending.length + piece.length };
      else yield { line: (pending + piece).replace(/\r$/, '') };
      pending = '';
      dropped = 0;
    }
    const rest = chunk.slice(start);
    if (dropped > 0) dropped += rest.length;
    else if (pending.length + rest.length > max) { dropped = pending.length + rest.length; pending = ''; }
    else pending += rest;
  }
  if (dropped > 0) yield { tooLong: dropped };
  else if (pending !== '') yield { line: pending.replace(/\r$/, '') };
}
