// The progress line of the CLI's durable runs: its text, a pure function;
// drawn only on a terminal and never with --json.
import { describe, expect, it } from "vitest";
import { execute } from "../../src/cli/cli.ts";
import { progressLine } from "../../src/cli/progress.ts";

describe("the progress line", () => {
  it("shows simulations done of all, those under way, events and windows", () => {
    expect(progressLine({ done: 0, underWay: 8, events: 0, windows: 0 }, 27)).toBe("[------------------------] 0/27 simulations, 8 under way, 0 events, 0 windows");
    expect(progressLine({ done: 9, underWay: 8, events: 1234567, windows: 45678 }, 27)).toBe(
      "[########----------------] 9/27 simulations, 8 under way, 1,234,567 events, 45,678 windows",
    );
    expect(progressLine({ done: 27, underWay: 0, events: 5, windows: 3 }, 27)).toMatch(/^\[#{24}\] 27\/27 /);
  });

  // Without a terminal main.ts passes no progress at all: nothing to draw on.
  it("is never drawn with --json; on a terminal it is cleared before the result", async () => {
    const run = async (json: boolean) => {
      const printed = { out: "", err: "", lines: [] as (string | null)[] };
      const status = await execute(["run", "lrpc", "--machine", "amd-2x2", "--engine", "durable", "--params", '{"calls":1}', ...(json ? ["--json"] : [])], {
        out: (t) => void (printed.out += t),
        err: (t) => void (printed.err += t),
        progress: (l) => void printed.lines.push(l),
      });
      expect(status).toBe(0);
      return printed;
    };
    const quiet = await run(true);
    expect(quiet.lines).toEqual([]);
    expect(JSON.parse(quiet.out)).toMatchObject({ experiment: "lrpc", engine: "durable" });
    expect(quiet.err).toBe("");
    const terminal = await run(false);
    expect(terminal.lines.at(-1)).toBeNull();
    for (const l of terminal.lines.slice(0, -1)) expect(l).toMatch(/^\[[#-]{24}\] \d+\/1 simulations, /);
    expect(terminal.out).toMatch(/^lrpc on amd-2x2 \(durable engine\)/);
    expect(terminal.err).toBe("");
  }, 120_000);
});
