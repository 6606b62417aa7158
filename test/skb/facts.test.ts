import { describe, expect, it } from "vitest";
import { CostModel, Machine, preset, presetDescription } from "../../src/hwmodel/index.ts";
import { SkbFieldError, machineFacts, roundTrips, type Fact, type PlTerm } from "../../src/skb/index.ts";
import { big } from "./helpers.ts";

const named = (facts: Fact[], name: string) => facts.filter((f) => f.name === name).map((f) => f.args);
const row = (t: PlTerm) => (t as { functor: string; args: number[] }).args;

describe("facts from a machine description", () => {
  it("amd-8x4: cores, packages, dies, caches, links and hop rows", () => {
    const m = preset("amd-8x4")!;
    const facts = machineFacts(m);
    expect(named(facts, "machine")).toEqual([["amd-8x4", 32, 8, 2, "hypertransport"]]);
    expect(named(facts, "rtt_source")).toEqual([["model"]]);
    expect(named(facts, "core").length).toBe(32);
    expect(named(facts, "package").map(([p]) => p)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(named(facts, "package_cores")[2]).toEqual([2, [8, 9, 10, 11]]);
    expect(named(facts, "core_package")[9]).toEqual([9, 2]);
    expect(named(facts, "die").length).toBe(8);
    expect(named(facts, "shared_cache")[1]).toEqual([1, 3, [4, 5, 6, 7]]);
    expect(named(facts, "link").length).toBe(2 * 12);
    const hops = named(facts, "hops_row");
    expect(row(hops[0][1])).toEqual(Array.from({ length: 8 }, (_, q) => m.packageHops[q]));
  });

  it("keeps round trips per package when every pair of two packages agrees, one row shared by the package's cores", () => {
    const m = preset("amd-8x4")!;
    const facts = machineFacts(m);
    const rows = named(facts, "rtt_row");
    const slots = new Map(named(facts, "rtt_slot").map(([c, i]) => [c as number, i as number]));
    expect(rows.length).toBe(32);
    expect(rows[4][1]).toBe(rows[7][1]);
    expect(row(rows[0][1]).length).toBe(8);
    const cost = new CostModel(m);
    for (let a = 0; a < 32; a++) for (let b = 0; b < 32; b++) if (a !== b) expect(row(rows[a][1])[slots.get(b)! - 1]).toBe(cost.roundTrip(a, b));
  });

  it("keeps round trips per core when packages hold cores of different distances (intel-2x4's two L2s)", () => {
    const m = preset("intel-2x4")!;
    const facts = machineFacts(m);
    const rows = named(facts, "rtt_row");
    expect(row(rows[0][1]).length).toBe(8);
    expect(named(facts, "rtt_slot")[5]).toEqual([5, 6]);
    expect(named(facts, "link")).toEqual([]);
    const cost = new CostModel(m);
    for (let a = 0; a < 8; a++) for (let b = 0; b < 8; b++) if (a !== b) expect(row(rows[a][1])[b]).toBe(cost.roundTrip(a, b));
  });

  it("1024 cores in packages of 4: 256 rows of 256 entries, not a million facts", () => {
    const facts = machineFacts(big());
    const rows = named(facts, "rtt_row");
    expect(rows.length).toBe(1024);
    expect(new Set(rows.map(([, r]) => r)).size).toBe(256);
    expect(row(rows[0][1]).length).toBe(256);
    expect(facts.length).toBeLessThan(10_000);
  });

  it("uses a latency matrix measured on the machine, per core", () => {
    const d = presetDescription("amd-2x2")!;
    const values = [[0, 40, 50, 51], [40, 0, 52, 53], [50, 52, 0, 41], [51, 53, 41, 0]];
    const m = Machine.from({ ...d, latencyMatrix: { unit: "cycles", values } });
    const facts = machineFacts(m);
    expect(named(facts, "rtt_source")).toEqual([["measured"]]);
    const cost = new CostModel(m);
    expect(row(named(facts, "rtt_row")[0][1])).toEqual([0, 1, 2, 3].map((b) => (b === 0 ? 0 : cost.roundTrip(0, b))));
    expect(new Set(row(named(facts, "rtt_row")[0][1])).size).toBe(4);
  });

  it("takes measured round trips from a function or a matrix", () => {
    const m = preset("amd-2x2")!;
    const matrix = Array.from({ length: 4 }, (_, a) => Array.from({ length: 4 }, (_, b) => (a === b ? 0 : 100 * a + b)));
    for (const rtt of [matrix, (a: number, b: number) => 100 * a + b]) {
      const facts = machineFacts(m, rtt);
      expect(named(facts, "rtt_source")).toEqual([["override"]]);
      expect(row(named(facts, "rtt_row")[3][1])).toEqual([300, 301, 302, 0]);
    }
  });

  it.each([
    ["rtt", [[0, 1]]],
    ["rtt[2]", [[0, 1, 1, 1], [1, 0, 1, 1], [1, 1, 0], [1, 1, 1, 0]]],
    ["rtt[1][3]", [[0, 1, 1, 1], [1, 0, 1, -5], [1, 1, 0, 1], [1, 1, 1, 0]]],
  ])("a bad matrix names %s", (field, matrix) => {
    expect(() => machineFacts(preset("amd-2x2")!, matrix)).toThrow(SkbFieldError);
    try {
      machineFacts(preset("amd-2x2")!, matrix);
    } catch (e) {
      expect((e as SkbFieldError).field).toBe(field);
    }
  });

  it("a bad value from a function names the pair", () => {
    const rtt = roundTrips(preset("amd-2x2")!, (a, b) => (a === 1 && b === 2 ? Number.NaN : 10));
    expect(() => rtt(1, 2)).toThrow(/rtt\(1,2\)/);
  });
});
