// The terminal's geometry for the Ink shell: its width, following resizes,
// and the erase a narrower terminal needs before Ink redraws the live area.
import { useEffect, useState } from 'react';
import { useStdout } from 'ink';

// The terminal's width, following resizes.
export function useColumns(): number {
  const { stdout } = useStdout();
  const [columns, setColumns] = useState(() => stdout.columns || 80);
  useEffect(() => {
    const onResize = (): void => setColumns(stdout.columns || 80);
    stdout.on('resize', onResize);
    return () => { stdout.off('resize', onResize); };
  }, [stdout]);
  return columns;
}

// Before Ink redraws for a narrower terminal, erase the live area as the
// terminal has re-wrapped it (a line of L cells takes ceil(L / columns) rows
// after reflow), then put the cursor where Ink expects to start its own
// erase, so no half-line of the old prompt or status is left behind.
export function useResizeErase(liveWidths: React.MutableRefObject<number[]>): void {
  const { stdout } = useStdout();
  useEffect(() => {
    let last = stdout.columns || 80;
    const onResize = (): void => {
      const now = stdout.columns || 80;
      const widths = liveWidths.current;
      if (now < last && widths.length > 0 && stdout.isTTY) {
        const rows = widths.reduce((a, w) => a + Math.max(1, Math.ceil(w / now)), 0);
        // rows+1: the cursor sits on the row below the live area.
        let seq = '';
        for (let i = 0; i <= rows; i++) seq += '\x1b[2K' + (i < rows ? '\x1b[1A' : '');
        seq += '\x1b[G' + `\x1b[${widths.length}B`;
        stdout.write(seq);
      }
      last = now;
    };
    stdout.prependListener('resize', onResize);
    return () => { stdout.off('resize', onResize); };
  }, [stdout]);
}
