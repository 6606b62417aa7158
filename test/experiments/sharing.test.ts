// The sharing experiment's replicated table, checked from what the run left
// in the caches: every placement's replicas agree, no read returns a version
// older than one its core already wrote or read, node replication's replicas
// are the log replayed in order, and the parameters are bounded.
import { describe, expect, it } from "vitest";
import { EXPERIMENTS, ParamError, parseParams, type SimulationSpec } from "../../src/experiments/index.ts";
import { preset } from "../../src/hwmodel/index.ts";
import { simulateInProcess, type SimulationOutcome } from "../../src/engine/index.ts";
import type { LogEntry } from "../../src/monitor/index.ts";

const sharing = EXPERIMENTS.byName("sharing")!;

type Run = { spec: SimulationSpec<{ series: string }>; outcome: SimulationOutcome };

async function run(machine: string, params: Record<string, unknown>): Promise<Run[]> {
  const specs = await sharing.plan(preset(machine)!, parseParams(sharing, params));
  const out: Run[] = [];
  for (const spec of specs) out.push({ spec: spec as Run["spec"], outcome: await simulateInProcess(EXPERIMENTS.systemFor(spec)) });
  return out;
}

type CoreResult = { records: Record<string, unknown[]>; table: Record<string, unknown> };
const results = (o: SimulationOutcome) => o.cores.map((c) => c.result as CoreResult);

/** Every line of the table as the caches hold it; copies of one line on several cores must agree. */
function lines(o: SimulationOutcome): Map<string, unknown> {
  const all = new Map<string, unknown>();
  for (const r of results(o)) {
    for (const [line, value] of Object.entries(r.table)) {
      if (all.has(line)) expect(value, `two copies of ${line}`).toEqual(all.get(line));
      all.set(line, value);
    }
  }
  return all;
}

const SMALL = { cores: [8], reads: 50, locality: 50, entries: 2, ops: 12, warmup: 2 };

describe("the sharing experiment's replicated table", () => {
  it.each([
    ["amd-8x4", ["per-core", "per-package", "shared"]],
    ["intel-2x4", ["per-core", "per-die", "per-package", "shared"]],
  ])("on %s, the replicas of every placement agree after the workload", async (machine, schemes) => {
    for (const { spec, outcome } of await run(machine, { ...SMALL, schemes })) {
      expect(outcome.stats.stopped, spec.params.series).toBe("drained");
      const byKey = new Map<number, Map<number, unknown>>();
      for (const [line, value] of lines(outcome)) {
        const [, group, key] = /^rs (\d+):(\d+)$/.exec(line)!.map(Number);
        if (!byKey.has(key)) byKey.set(key, new Map());
        byKey.get(key)!.set(group, value);
      }
      const groups = new Set([...byKey.values()].flatMap((g) => [...g.keys()]));
      expect(groups.size).toBe({ "per-core": 8, "per-die": 4, "per-package": 2, shared: 1 }[spec.params.series]);
      expect(byKey.size).toBeGreaterThan(0);
      for (const [key, replicas] of byKey) {
        // A replica whose line no cache holds still has the line's first contents: never written.
        expect(new Set(replicas.values()).size, `entry ${key}`).toBe(1);
        expect(replicas.size, `entry ${key} is in every replica`).toBe(groups.size);
      }
    }
  });

  it("no read returns a version older than its core's last completed operation on that entry", async () => {
    const schemes = ["per-core", "per-package", "shared", "op-log"];
    for (const { spec, outcome } of await run("amd-4x4", { ...SMALL, cores: [16], locality: 0, entries: 1, schemes })) {
      const rs = results(outcome);
      expect(rs.flatMap((r) => r.records.stale ?? []), spec.params.series).toEqual([]);
      expect(rs.every((r) => (r.records.read?.length ?? 0) + (r.records.write?.length ?? 0) === 12)).toBe(true);
    }
  });

  it("node replication: every replica is the log replayed in order, each core's writes in the order it made them", async () => {
    const [{ outcome }] = await run("amd-8x4", { ...SMALL, cores: [16], reads: 30, schemes: ["op-log"] });
    const all = lines(outcome);
    const log: LogEntry[] = [];
    for (let i = 0; all.has(`nr log ${i}`); i++) log.push(all.get(`nr log ${i}`) as LogEntry);
    expect(log.length).toBe(all.get("nr tail"));
    for (let c = 0; c < 16; c++) {
      // A core's slot holds the number of its last write: the log has all of them, in order.
      const writes = (all.get(`nr slot ${c}`) as { n: number } | undefined)?.n ?? 0;
      expect(log.filter((e) => e.core === c).map((e) => e.n), `core ${c}'s writes`).toEqual(Array.from({ length: writes }, (_, i) => i + 1));
    }
    for (const group of [0, 4, 8, 12]) {
      const applied = Number(all.get(`nr applied ${group}`) ?? 0);
      expect(applied).toBeLessThanOrEqual(log.length);
      // Replaying the log's first `applied` entries in order gives the replica.
      const replayed = new Map<number, number>();
      log.slice(0, applied).forEach((e, i) => replayed.set(e.key, i));
      const replica = new Map<number, number>();
      for (const [line, v] of all) {
        const m = /^nr rep (\d+):(\d+)$/.exec(line);
        if (m && Number(m[1]) === group) replica.set(Number(m[2]), v as number);
      }
      expect(replica).toEqual(replayed);
    }
  });

  it("is the same run twice: same hashes", async () => {
    const params = { ...SMALL, schemes: ["per-package", "op-log"] };
    const [a, b] = [await run("amd-8x4", params), await run("amd-8x4", params)];
    expect(a.map((r) => r.outcome.hash)).toEqual(b.map((r) => r.outcome.hash));
  });

  it.each([
    [{ reads: 101 }, "reads", /^must be at most 100, got 101/],
    [{ locality: -1 }, "locality", /^must be at least 0/],
    [{ entries: 65 }, "entries", /^must be at most 64/],
    [{ schemes: ["per-core", "per-core"] }, "schemes[1]", /named twice/],
    [{ schemes: ["per-socket"] }, "schemes[0]", /^unknown scheme "per-socket"; schemes are per-core, per-die, per-package, shared, op-log/],
    [{ protocol: "broadcast" }, "protocol", /^must be one of numa-multicast, multicast, unicast/],
    [{ ops: 1.5 }, "ops", /^must be an integer/],
    [{ seed: 2 ** 31 }, "seed", /^must be at most/],
  ])("refuses %j, naming %s", (params, field, reason) => {
    try {
      parseParams(sharing, params);
      throw new Error("accepted");
    } catch (e) {
      expect(e).toBeInstanceOf(ParamError);
      expect((e as ParamError).field).toBe(field);
      expect((e as ParamError).reason).toMatch(reason);
    }
  });

  it("bounds the operations of one simulation, and the cores by the machine", async () => {
    const plan = async (machine: string, params: unknown) => sharing.plan(preset(machine)!, parseParams(sharing, params));
    await expect(plan("amd-8x4", { cores: [32], ops: 1000, warmup: 100 })).rejects.toMatchObject({ field: "ops" });
    await expect(plan("intel-2x4", { cores: [16] })).rejects.toMatchObject({ field: "cores[0]" });
  });
});
