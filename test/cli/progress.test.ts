// The progress line of the CLI's durable runs: its text, a pure function;
// drawn only on a terminal and never with --json; a run's faults counted in its JSON.
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
    const run = async (json: boolean, ...more: string[]) => {
      const printed = { out: "", err: "", lines: [] as (string | null)[] };
      const status = await execute(["run", "lrpc", "--machine", "amd-2x2", "--engine", "durable", "--params", '{"calls":1}', ...(json ? ["--json"] : []), ...more], {
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
    // Before the first simulation: workerd starting, seconds on a loaded machine.
    expect(terminal.lines[0]).toBe("starting the Worker in workerd ...");
    expect(terminal.lines.at(-1)).toBeNull();
    for (const l of terminal.lines.slice(1, -1)) expect(l).toMatch(/^\[[#-]{24}\] \d+\/1 simulations, /);
    expect(terminal.out).toMatch(/^lrpc on amd-2x2 \(durable engine\)/);
    expect(terminal.err).toBe("");
    // With faults, the JSON counts them as the text's fault line does; the result is the fault-free one.
    const faulted = await run(true, "--faults", '{"evict":{"rate":0.5},"failDeliveries":0.5}');
    const { faults, ...result } = JSON.parse(faulted.out);
    expect(faults.injected).toBeGreaterThan(0);
    expect(faults.rollBacks).toBeGreaterThanOrEqual(0);
    expect({ ...result, stats: { ...result.stats, wallMs: 0 } }).toEqual({ ...JSON.parse(quiet.out), stats: { ...JSON.parse(quiet.out).stats, wallMs: 0 } });
  }, 120_000);
});
