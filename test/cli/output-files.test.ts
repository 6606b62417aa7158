// Files the CLI writes: a path that cannot be written is refused before the
// run starts (status 2, naming the flag and the reason); a write that fails
// after the run still prints the result (status 1, saying what is missing);
// --trace holds the chosen simulations of the run, one process each.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { simulateInProcess, toChromeTrace } from "../../src/engine/index.ts";
import { EXPERIMENTS } from "../../src/experiments/index.ts";
import { preset } from "../../src/hwmodel/index.ts";
import { cli } from "./helpers.ts";

const dir = mkdtempSync(join(tmpdir(), "edgefish-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const SHOOTDOWN = ["run", "shootdown", "--cores", "2,4", "--protocols", "unicast,numa-multicast", "--reps", "1"];

describe("an output path that cannot be written", () => {
  const file = join(dir, "a-file");
  writeFileSync(file, "");
  it.each([
    ["a directory that does not exist", "/nonexistent/dir/x.json", "the directory /nonexistent/dir does not exist"],
    ["a directory", dir, "it is a directory"],
    ["a path through a file", join(file, "x.json"), `${file} is not a directory`],
  ])("%s: exit 2 before the run, naming the flag and the reason", async (_what, path, reason) => {
    expect(await cli("run", "lrpc", "--trace", path)).toEqual({
      status: 2,
      out: "",
      err: `error: --trace: cannot write ${path}: ${reason}\n(npm run -s cli -- run lrpc --help)\n`,
    });
  });

  // /dev/full takes the open and refuses the write: the run finishes, then the write fails.
  it.runIf(existsSync("/dev/full"))("a write that fails after the run: the result is printed, the failure named, exit 1", async () => {
    const { status, out, err } = await cli("run", "lrpc", "--trace", "/dev/full", "--json");
    expect(status).toBe(1);
    expect(JSON.parse(out)).toMatchObject({ experiment: "lrpc", machine: "amd-8x4" });
    expect(err).toBe("error: --trace: could not write /dev/full: no space left on the device (the result above is complete; only the file is missing)\n");
  });
});

describe("--trace", () => {
  /** The Chrome trace of these simulations of the shootdown run, each simulated on its own. */
  async function expected(indices: number[]): Promise<object> {
    const machine = preset("amd-8x4")!;
    const { specs } = await EXPERIMENTS.plan("shootdown", machine, { cores: [2, 4], protocols: ["unicast", "numa-multicast"], reps: 1 });
    const simulations = [];
    for (const i of indices) {
      const { trace } = await simulateInProcess(EXPERIMENTS.systemFor(specs[i]), { trace: true });
      simulations.push({ index: i, name: EXPERIMENTS.titleOf(specs[i]), clockGHz: machine.clockGHz, records: trace! });
    }
    return toChromeTrace(simulations);
  }

  it("writes every simulation of the run, one process each, named by experiment, machine and label", async () => {
    const path = join(dir, "all.json");
    const { status, err } = await cli(...SHOOTDOWN, "--trace", path);
    expect(status).toBe(0);
    expect(err).toBe(`wrote the Chrome trace of all 4 simulations (0-3) to ${path}\n`);
    const trace = JSON.parse(readFileSync(path, "utf8")) as { traceEvents: { name: string; pid: number; args?: { name?: string } }[] };
    expect(trace).toEqual(await expected([0, 1, 2, 3]));
    expect(trace.traceEvents.filter((e) => e.name === "process_name").map((e) => [e.pid, e.args!.name])).toEqual([
      [0, "shootdown on amd-8x4: unicast, 2 cores"],
      [1, "shootdown on amd-8x4: unicast, 4 cores"],
      [2, "shootdown on amd-8x4: numa-multicast, 2 cores"],
      [3, "shootdown on amd-8x4: numa-multicast, 4 cores"],
    ]);
  });

  it("--trace-simulations picks some, by index or by the first part of their label", async () => {
    const path = join(dir, "some.json");
    const { status, err } = await cli(...SHOOTDOWN, "--trace", path, "--trace-simulations", "numa-multicast,0");
    expect(status).toBe(0);
    expect(err).toBe(`wrote the Chrome trace of 3 of 4 simulations (0, 2-3) to ${path}\n`);
    expect(JSON.parse(readFileSync(path, "utf8"))).toEqual(await expected([0, 2, 3]));
  });

  it.each([
    [["--trace-simulations", "4"], "--trace-simulations: must be at most 3 (the run has simulations 0..3), got 4"],
    [["--trace-simulations", "smoke"], '--trace-simulations: must be all, an index 0..3 or one of unicast, numa-multicast, got "smoke"'],
  ])("refuses %j before the run", async (flags, message) => {
    expect(await cli(...SHOOTDOWN, "--trace", join(dir, "never.json"), ...flags)).toEqual({
      status: 2,
      out: "",
      err: `error: ${message}\n(npm run -s cli -- run shootdown --help)\n`,
    });
    expect(existsSync(join(dir, "never.json"))).toBe(false);
  });

  it("--trace-simulations without --trace is an error", async () => {
    expect((await cli(...SHOOTDOWN, "--trace-simulations", "0")).err).toMatch(/^error: --trace-simulations: picks what --trace writes; give --trace <file> too\n/);
  });
});
