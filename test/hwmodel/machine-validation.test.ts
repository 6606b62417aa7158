import { describe, expect, it } from "vitest";
import { Machine, MachineError, presetDescription, regularMachine, type MachineDescription } from "../../src/hwmodel/index.ts";

const base = (): MachineDescription => structuredClone(presetDescription("amd-4x4")!);

function issues(input: unknown): { field: string; reason: string }[] {
  try {
    Machine.from(input);
  } catch (e) {
    expect(e).toBeInstanceOf(MachineError);
    return (e as MachineError).issues;
  }
  throw new Error("expected the description to be rejected");
}

describe("machine descriptions: bad input names the field and the reason", () => {
  it("accepts every preset", () => {
    for (const name of ["intel-2x4", "amd-2x2", "amd-4x4", "amd-8x4"]) expect(Machine.from(presetDescription(name)).name).toBe(name);
  });

  it("a link to a package that does not exist", () => {
    const d = base();
    (d.interconnect as { links: [number, number][] }).links.push([3, 9]);
    expect(issues(d)).toContainEqual({ field: "interconnect.links[4][1]", reason: "no package 9" });
  });

  it("a disconnected interconnect", () => {
    const d = base();
    (d.interconnect as { links: [number, number][] }).links = [[0, 1], [2, 3]];
    const [i] = issues(d);
    expect(i.field).toBe("interconnect.links");
    expect(i.reason).toMatch(/disconnected.*package\(s\) 2, 3/);
  });

  it("no cores", () => {
    expect(issues({ ...base(), packages: [] })).toContainEqual({ field: "packages", reason: "a machine needs at least one package" });
    const d = base();
    d.packages[0].dies[0].cores = [];
    expect(issues(d)[0].field).toBe("packages[0].dies[0].cores");
  });

  it("duplicate core ids", () => {
    const d = base();
    d.packages[1].dies[0].cores[0] = 0;
    const found = issues(d);
    expect(found[0]).toEqual({ field: "packages[1].dies[0].cores[0]", reason: "duplicate core id 0 (also at packages[0].dies[0].cores[0])" });
  });

  it("core ids that are not dense", () => {
    const d = base();
    d.packages[3].dies[0].cores[3] = 40;
    expect(issues(d)).toContainEqual({ field: "packages[3].dies[0].cores[3]", reason: "core ids must be dense 0..15; 40 is out of range" });
  });

  it("negative or non-numeric values", () => {
    expect(issues({ ...base(), clockGHz: -2 })).toContainEqual({ field: "clockGHz", reason: "must be > 0" });
    expect(issues({ ...base(), clockGHz: "fast" })[0].field).toBe("clockGHz");
    const d = base();
    d.packages[0].dies[0].cores[1] = -1;
    expect(issues(d)).toContainEqual({ field: "packages[0].dies[0].cores[1]", reason: "must be >= 0" });
    expect(issues({ ...base(), costs: { chipLeg: -5 } })).toContainEqual({ field: "costs.chipLeg", reason: "must be > 0" });
  });

  it("a latency matrix of the wrong shape", () => {
    expect(issues({ ...base(), latencyMatrix: { unit: "ns", values: [[0, 1], [1, 0]] } })).toContainEqual({
      field: "latencyMatrix.values",
      reason: "must have 16 rows (one per core), has 2",
    });
    const rows = Array.from({ length: 16 }, () => new Array(16).fill(50));
    rows[5] = rows[5].slice(0, 15);
    expect(issues({ ...base(), latencyMatrix: { unit: "cycles", values: rows } })).toContainEqual({
      field: "latencyMatrix.values[5]",
      reason: "must have 16 columns, has 15",
    });
  });

  it("more than 4096 cores", () => {
    const d = regularMachine({ name: "big", clockGHz: 2, packages: 1025, coresPerDie: 4, sharedCache: "package-l3", links: "ring" });
    expect(issues(d)).toContainEqual({ field: "packages", reason: "4100 cores; at most 4096 are supported" });
  });

  it("unknown fields and a missing interconnect", () => {
    expect(issues({ ...base(), turbo: true })[0].reason).toMatch(/turbo/);
    const { interconnect: _, ...rest } = base();
    expect(issues(rest)[0].field).toBe("interconnect");
  });

  it("a shared cache over cores of two packages, or over cores that do not exist", () => {
    const d = base();
    d.sharedCaches!.push({ level: 3, cores: [3, 4] });
    expect(issues(d)).toContainEqual({ field: "sharedCaches[4].cores", reason: "a shared cache cannot span packages" });
    const e = base();
    e.sharedCaches!.push({ level: 2, cores: [1, 99] });
    expect(issues(e)).toContainEqual({ field: "sharedCaches[4].cores[1]", reason: "no core 99" });
  });
});
