// The view the session draws its own output with (session/view.ts): the quit
// summary, engine events and verbose packets, in the shapes the commands print.
import type { SessionView } from '../session/view.js';
import { renderFwdStop } from './render-stats.js';
import { renderCaptureStop } from './render-capture.js';
import { renderEvent } from './render-events.js';
import { renderVerbose, suppressedLine } from './render-verbose.js';

export const sessionView: SessionView = {
  fwdStop: renderFwdStop,
  captureStop: (captures) => renderCaptureStop({ kind: 'captureStop', captures }),
  event: renderEvent,
  verbose: (records, level, pool, suppressed) => {
    const lines = renderVerbose(records, level, pool);
    if (suppressed > 0) lines.push(suppressedLine(suppressed));
    return lines;
  },
};
