import { describe, expect, it } from "vitest";
import { parseArgs, UsageError } from "../../src/cli/args.ts";
import type { Command } from "../../src/cli/command.ts";
import { commands } from "../../src/cli/commands/index.ts";
import { MachineError } from "../../src/hwmodel/index.ts";

const command = (name: string) => commands.find((c) => c.name === name)!;
const run = (c: Command, ...argv: string[]) => c.run(parseArgs(argv, { ...c.flags, json: { type: "boolean", description: "" } }));
const usage = (c: Command, ...argv: string[]) =>
  Promise.resolve()
    .then(() => run(c, ...argv))
    .then(
      () => undefined,
      (e: unknown) => (e instanceof UsageError ? e.message : e),
    );

describe("npm run cli -- calibrate / machines / machine", () => {
  it("calibrate --json gives every Table 1 and 2 cell in the issue's shape", async () => {
    const { rows } = (await run(command("calibrate"), "--json")).json as { rows: Record<string, unknown>[] };
    expect(rows).toHaveLength(4 + 20);
    for (const r of rows) expect(Object.keys(r).sort()).toEqual(["errorPct", "machine", "metric", "model", "pair", "paper", "table"]);
    expect(rows.find((r) => r.machine === "amd-8x4" && r.pair === "two-hop" && r.metric === "latency")).toMatchObject({ table: "urpc", paper: 618 });
  });

  it("machines lists the four presets", async () => {
    const { machines } = (await run(command("machines"))).json as { machines: { name: string }[] };
    expect(machines.map((m) => m.name)).toEqual(["intel-2x4", "amd-2x2", "amd-4x4", "amd-8x4"]);
  });

  it("machine shows the round-trip matrix, from a preset or a file with a measured CSV", async () => {
    const preset = (await run(command("machine"), "amd-8x4")).json as { roundTrip: number[][] };
    expect(preset.roundTrip).toHaveLength(32);
    expect(preset.roundTrip[8][28]).toBe(624);
    const custom = (await run(command("machine"), "--machine-file", "examples/two-socket-quad.json", "--latency-csv", "examples/two-socket-quad-measured.csv")).json as { roundTrip: number[][] };
    // 21 ns at 2.4 GHz between cores 0 and 1: two transfers of 50.4 cycles plus the send and receive paths.
    expect(custom.roundTrip[0][1]).toBe(2 * (16 + 50 + 50 + 24));
  });

  it("bad arguments name the flag or field", async () => {
    expect(await usage(command("machine"), "amd-8x4", "amd-4x4")).toMatch(/unexpected argument "amd-4x4"/);
    expect(await usage(command("machine"), "amd-9x9")).toMatch(/--machine: unknown machine "amd-9x9"/);
    expect(await usage(command("machine"), "--machine-file", "/nonexistent.json")).toMatch(/--machine-file: cannot read/);
    // An 8 x 8 matrix for a 4-core machine: the description is refused, naming the field.
    const wrongShape = (await usage(command("machine"), "amd-2x2", "--latency-csv", "examples/two-socket-quad-measured.csv")) as MachineError;
    expect(wrongShape).toBeInstanceOf(MachineError);
    expect(wrongShape.issues).toContainEqual({ field: "latencyMatrix.values", reason: "must have 4 rows (one per core), has 8" });
  });
});

describe("npm run cli -- run", () => {
  it("--json prints the issue's shape: experiment, machine, engine, rows, series, stats", async () => {
    const out = (await run(command("run"), "unmap", "--machine", "amd-8x4", "--cores", "2,4", "--kernel", "barrelfish,linux", "--params", '{"reps":1}', "--json")).json as Record<string, unknown>;
    expect(Object.keys(out).filter((k) => out[k] !== undefined).sort()).toEqual(["engine", "experiment", "machine", "rows", "series", "stats"]);
    expect(out).toMatchObject({ experiment: "unmap", machine: "amd-8x4", engine: "inproc" });
    expect((out.series as { name: string; points: { cores: number }[] }[]).map((s) => [s.name, s.points.map((p) => p.cores)])).toEqual([
      ["barrelfish", [2, 4]],
      ["linux", [2, 4]],
    ]);
    expect(Object.keys(out.stats as object).sort()).toEqual(["events", "messages", "simulatedCycles", "wallMs", "windows"]);
  });

  it("maps bad experiment parameters to the flag that set them", async () => {
    const r = command("run");
    expect(await usage(r, "shootdown", "--protocol", "smoke")).toMatch(/^--protocol: unknown protocol "smoke"/);
    expect(await usage(r, "unmap", "--kernel", "bsd")).toMatch(/^--kernel: unknown kernel "bsd"/);
    expect(await usage(r, "shootdown", "--protocol", "unicast,broadcast,unicast")).toMatch(/^--protocol: protocol "unicast" is named twice/);
    expect(await usage(r, "unmap", "--machine", "amd-4x4", "--cores", "2,32")).toMatch(/^--cores: 32 is out of range 1..16/);
    expect(await usage(r, "unmap", "--params", '{"reps":0}')).toMatch(/^--params: reps: /);
    expect(await usage(r, "unmap", "--params", "[1]")).toMatch(/^--params: must be a JSON object/);
    expect(await usage(r, "warp")).toMatch(/unknown experiment "warp"/);
    expect(await usage(r, "urpc", "--engine", "warp")).toMatch(/^--engine: must be inproc or durable/);
  });

  it("--faults takes the API's faults, on the durable engine only", async () => {
    const r = command("run");
    expect(await usage(r, "lrpc", "--faults", '{"restart":{}}')).toMatch(/^--faults: only the durable engine .*--engine durable/);
    expect(await usage(r, "lrpc", "--engine", "durable", "--faults", "{")).toMatch(/^--faults: not valid JSON/);
    expect(await usage(r, "lrpc", "--engine", "durable", "--faults", '{"restart":{"rate":3}}')).toMatch(/^--faults: restart\.rate: /);
    expect(await usage(r, "lrpc", "--engine", "durable", "--faults", '{"meteor":1}')).toMatch(/^--faults: meteor: not a fault/);
  });

  it("names every object has are no flags and no parameters", async () => {
    const r = command("run");
    expect(await usage(r, "unmap", "--constructor", "x")).toMatch(/^unknown flag --constructor/);
    expect(await usage(r, "unmap", "--toString")).toMatch(/^unknown flag --toString/);
    expect(await usage(r, "unmap", "--params", '{"constructor":1}')).toMatch(/^--params: constructor: not a parameter/);
    expect(await usage(command("machine"), "constructor")).toMatch(/--machine: unknown machine "constructor"/);
  });
});
