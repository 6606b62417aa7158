import { describe, expect, it } from "vitest";
import { CostModel, preset as presetMachine } from "../../src/hwmodel/index.ts";
import { HEADINGS } from "../../src/cli/commands/run.ts";
import { table } from "../../src/cli/table.ts";
import { MachineError } from "../../src/hwmodel/index.ts";
import { output, usageError } from "./helpers.ts";

const run = output;
const usage = usageError;

describe("npm run cli -- calibrate / machines / machine", () => {
  it("calibrate --json gives every Table 1 and 2 cell in the issue's shape", async () => {
    const { rows } = (await run("calibrate", "--json")).json as { rows: Record<string, unknown>[] };
    expect(rows).toHaveLength(4 + 20);
    for (const r of rows) expect(Object.keys(r).sort()).toEqual(["errorPct", "machine", "metric", "model", "pair", "paper", "table"]);
    expect(rows.find((r) => r.machine === "amd-8x4" && r.pair === "two-hop" && r.metric === "latency")).toMatchObject({ table: "urpc", paper: 618 });
  });

  it("machines lists the paper's four presets and the heterogeneous one", async () => {
    const { json, text } = await run("machines");
    const { machines } = json as { machines: { name: string }[] };
    expect(machines.map((m) => m.name)).toEqual(["intel-2x4", "amd-2x2", "amd-4x4", "amd-8x4", "amd-8x4-biglittle"]);
    expect(text).toMatch(/^amd-8x4-biglittle +32 +8 +2 \(reference; cores at 2, 1\) /m);
  });

  it("machine shows each clock of a heterogeneous machine, preset or file", async () => {
    const { text } = await run("machine", "amd-8x4-biglittle");
    expect(text).toMatch(/^32 cores, 8 packages, 2 GHz \(the reference clock; cores at 2, 1 GHz\)/m);
    expect(text).toMatch(/^ {2}package 1: die 0 \[4 5\] at 1 GHz, die 1 \[6 7\]$/m);
    const file = await run("machine", "--machine-file", "examples/biglittle-fast-core-0.json");
    expect(file.text).toMatch(/^ {2}package 0: die 0 \[0 1\], die 1 \[2 3\]$/m);
    expect((file.json as { coreClockGHz: number[] }).coreClockGHz.slice(0, 8)).toEqual([2, 2, 2, 2, 1, 1, 2, 2]);
  });

  it("machine shows the round-trip matrix, from a preset or a file with a measured CSV", async () => {
    const preset = (await run("machine", "amd-8x4")).json as { roundTrip: number[][] };
    expect(preset.roundTrip).toHaveLength(32);
    expect(preset.roundTrip[8][28]).toBe(new CostModel(presetMachine("amd-8x4")!).roundTrip(8, 28));
    const custom = (await run("machine", "--machine-file", "examples/two-socket-quad.json", "--latency-csv", "examples/two-socket-quad-measured.csv")).json as { roundTrip: number[][] };
    // 21 ns at 2.4 GHz between cores 0 and 1: each way two transfers of 50.4 cycles plus the send and receive paths.
    expect(custom.roundTrip[0][1]).toBe(Math.round(2 * (16 + 24) + 4 * 21 * 2.4));
  });

  it("bad arguments name the flag or field", async () => {
    expect(await usage("machine", "amd-8x4", "amd-4x4")).toMatch(/unexpected argument "amd-4x4"/);
    expect(await usage("machine", "amd-9x9")).toMatch(/^preset: must be one of intel-2x4, amd-2x2, amd-4x4, amd-8x4, amd-8x4-biglittle, got "amd-9x9"$/);
    expect(await usage("machine", "--machine", "amd-9x9")).toMatch(/^--machine: must be one of .*, got "amd-9x9"$/);
    expect(await usage("machine", "--machine-file", "/nonexistent.json")).toBe("--machine-file: cannot read /nonexistent.json: no such file or directory");
    // An 8 x 8 matrix for a 4-core machine: the description is refused, naming the field.
    const wrongShape = (await usage("machine", "amd-2x2", "--latency-csv", "examples/two-socket-quad-measured.csv")) as MachineError;
    expect(wrongShape).toBeInstanceOf(MachineError);
    expect(wrongShape.issues).toContainEqual({ field: "latencyMatrix.values", reason: "must have 4 rows (one per core), has 8" });
  });
});

describe("npm run cli -- run", () => {
  it("--json prints the issue's shape: experiment, machine, engine, rows, series, stats, lines", async () => {
    const out = (await run("run", "unmap", "--machine", "amd-8x4", "--cores", "2,4", "--kernels", "barrelfish,linux", "--params", '{"reps":1}', "--json")).json as Record<string, unknown>;
    expect(Object.keys(out).filter((k) => out[k] !== undefined).sort()).toEqual(["engine", "experiment", "lines", "machine", "rows", "series", "stats"]);
    expect(out).toMatchObject({ experiment: "unmap", machine: "amd-8x4", engine: "inproc" });
    expect((out.series as { name: string; points: { cores: number }[] }[]).map((s) => [s.name, s.points.map((p) => p.cores)])).toEqual([
      ["barrelfish", [2, 4]],
      ["linux", [2, 4]],
    ]);
    expect(Object.keys(out.stats as object).sort()).toEqual(["events", "messages", "simulatedCycles", "wallMs", "windows"]);
  });

  it("maps bad experiment parameters to the flag that set them, in one wording: what it must be, what it was", async () => {
    expect(await usage("run", "shootdown", "--protocols", "smoke")).toMatch(/^--protocols: unknown protocol "smoke"/);
    expect(await usage("run", "unmap", "--kernels", "bsd")).toMatch(/^--kernels: unknown kernel "bsd"/);
    expect(await usage("run", "shootdown", "--protocols", "unicast,broadcast,unicast")).toMatch(/^--protocols: protocol "unicast" is named twice/);
    expect(await usage("run", "unmap", "--cores", "1")).toBe("--cores: must be at least 2 cores, got 1");
    expect(await usage("run", "unmap", "--cores", "64")).toBe("--cores: must be at most 32 (amd-8x4 has 32 cores), got 64");
    expect(await usage("run", "unmap", "--machine", "amd-4x4", "--cores", "2,32")).toBe("--cores: must be at most 16 (amd-4x4 has 16 cores), got 32");
    expect(await usage("run", "unmap", "--cores", "2,x")).toBe('--cores: must be an integer, got "x"');
    expect(await usage("run", "unmap", "--reps", "17")).toBe("--reps: must be at most 16 (each unmap takes one of the 16 pages the application mapped), got 17");
    // A parameter's default does not fit the others given: the error names its flag and its default.
    expect(await usage("run", "twopc", "--pipeline", "256")).toMatch(/^--reps \(default 3\): 417792 capabilities in the replicas of one simulation/);
    expect(await usage("run", "unmap", "--params", '{"reps":0}')).toBe("--params: reps: must be at least 1, got 0");
    expect(await usage("run", "unmap", "--params", "[1]")).toBe("--params: must be a JSON object, got [1]");
    expect(await usage("run", "unmap", "--params", '{"reps":2}', "--reps", "3")).toBe("--reps: reps is in --params too; give it once");
    expect(await usage("run", "warp")).toMatch(/^unknown experiment "warp"; experiments are urpc, lrpc, shootdown/);
    expect(await usage("run", "--cores", "2", "unmap")).toMatch(/^name the experiment first \(run <experiment> \[flags\]\)/);
    expect(await usage("run", "urpc", "--engine", "warp")).toBe('--engine: must be inproc or durable, got "warp"');
    expect(await usage("run", "shootdown", "--protocol", "unicast")).toBe("--protocol is not a flag of run shootdown (run unmap, run twopc, run sharing take it); did you mean --protocols?");
    expect(await usage("run", "shootdown", "--kernels", "linux")).toBe("--kernels is not a flag of run shootdown (run unmap takes it)");
    expect(await usage("run", "lrpc", "--call", "3")).toBe("unknown flag --call; did you mean --calls?");
  });
});

describe("tables", () => {
  it("right-align numbers and left-align text, headers with their columns", () => {
    expect(table(["pair", "cores", "latency (cycles)"], [["one-hop", "0-4", 612], ["shared-cache", "0-1", 540.5], ["three-hop", "8-28", "-"]])).toBe(
      [
        "pair          cores  latency (cycles)",
        "------------  -----  ----------------",
        "one-hop       0-4                 612",
        "shared-cache  0-1               540.5",
        "three-hop     8-28                  -",
      ].join("\n"),
    );
  });

  it("give every measured column of an experiment's rows a heading with its unit", async () => {
    for (const name of ["urpc", "lrpc"]) {
      const { rows } = (await run("run", name, "--machine", "amd-2x2", "--json")).json as { rows: Record<string, unknown>[] };
      for (const [key, value] of Object.entries(rows[0])) {
        expect(HEADINGS[key], `${name}'s ${key}`).toBeDefined();
        if (typeof value === "number") expect(HEADINGS[key]).toMatch(/ \(.+\)$/);
      }
    }
    const { text } = await run("run", "urpc", "--machine", "amd-2x2");
    expect(text).toContain("latency (cycles)  throughput (msgs/kcycle)");
  });

  it("--faults takes the API's faults, on the durable engine only", async () => {
    expect(await usage("run", "lrpc", "--faults", '{"restart":{}}')).toMatch(/^--faults: only the durable engine .*--engine durable/);
    expect(await usage("run", "lrpc", "--engine", "durable", "--faults", "{")).toMatch(/^--faults: must be valid JSON/);
    expect(await usage("run", "lrpc", "--engine", "durable", "--faults", '{"restart":{"rate":3}}')).toMatch(/^--faults: restart\.rate: /);
    expect(await usage("run", "lrpc", "--engine", "durable", "--faults", '{"meteor":1}')).toMatch(/^--faults: meteor: not a fault/);
    expect(await usage("run", "shootdown", "--machine", "amd-2x2", "--engine", "durable", "--faults", '{"evict":{"cores":[9]}}')).toMatch(/^--faults: evict\.cores\[0\]: the machine has no core 9 \(its cores are 0 to 3\)/);
  });

  it("names every object has are no flags and no parameters", async () => {
    expect(await usage("run", "unmap", "--constructor", "x")).toMatch(/^unknown flag --constructor/);
    expect(await usage("run", "unmap", "--toString")).toMatch(/^unknown flag --toString/);
    expect(await usage("run", "unmap", "--params", '{"constructor":1}')).toMatch(/^--params: constructor: /);
    expect(await usage("machine", "constructor")).toMatch(/unknown machine "constructor"|must be one of/);
  });
});
