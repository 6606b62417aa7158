// The progress of a durable run on a terminal: one line on standard error,
// redrawn in place, e.g.
//   [#########---------------]  3/27 simulations, 8 under way, 120,345 events, 60,112 windows
// Printed only when standard error is a terminal and the result is not JSON
// (main.ts decides), so piped output and --json stay exactly the result.
import type { LocalProgress } from "./local-durable.ts";

/** How often the line is redrawn. */
export const PROGRESS_MS = 250;

const BAR = 24;

/** The line for `total` simulations, `p` of them done or under way. */
export function progressLine(p: LocalProgress, total: number): string {
  const filled = total ? Math.round((BAR * p.done) / total) : BAR;
  const count = (n: number) => n.toLocaleString("en-US");
  return `[${"#".repeat(filled)}${"-".repeat(BAR - filled)}] ${p.done}/${total} simulations, ${p.underWay} under way, ${count(p.events)} events, ${count(p.windows)} windows`;
}

/** Redraw `line()` every PROGRESS_MS through `show` until the returned stop() (which clears it with null). */
export function showProgress(line: () => Promise<string>, show: (line: string | null) => void): () => Promise<void> {
  let drawing: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    drawing = drawing.then(async () => show(await line())).catch(() => {});
  }, PROGRESS_MS);
  return async () => {
    clearInterval(timer);
    await drawing;
    show(null);
  };
}
