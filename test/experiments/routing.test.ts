// The routes a plan hands its monitors are computed once per machine and
// tree, and kept under a key that no other machine shares.
import { describe, expect, it } from "vitest";
import { recent } from "../../src/experiments/recent.ts";
import { machineKey, routesFor, treeKey } from "../../src/experiments/routing.ts";
import { Machine, preset } from "../../src/hwmodel/index.ts";
import { SystemKnowledgeBase } from "../../src/skb/index.ts";

const fresh = async (m: Machine, kind: "unicast" | "numa-multicast", cores: number) => (await (await SystemKnowledgeBase.for(m)).route(kind, 0, { cores })).edges;

describe("the route cache", () => {
  it("keys a machine by its whole description: the same machine parsed again shares, a machine differing in anything does not", () => {
    const amd = preset("amd-8x4")!;
    expect(machineKey(Machine.from(JSON.parse(JSON.stringify(amd.description))))).toBe(machineKey(amd));
    // Same name, other costs (Table 2 read as one-way).
    expect(machineKey(preset("amd-8x4", "one-way")!)).not.toBe(machineKey(amd));
    const renamed = Machine.from({ ...amd.description, name: "amd-8x4-copy" });
    expect(machineKey(renamed)).not.toBe(machineKey(amd));
    // A measured latency matrix changes the SKB's round trips, so its trees.
    const n = amd.numCores;
    const values = Array.from({ length: n }, (_, a) => Array.from({ length: n }, (_, b) => (a === b ? 0 : 100 + ((a * 7 + b * 13) % 50))));
    expect(machineKey(Machine.from({ ...amd.description, latencyMatrix: { unit: "cycles", values } }))).not.toBe(machineKey(amd));
  });

  it("keys a tree by kind, root and cores", () => {
    const keys = [treeKey("unicast", 0, 8), treeKey("unicast", 1, 8), treeKey("unicast", 0, 16), treeKey("multicast", 0, 8)];
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("gives each machine the trees its own SKB computes, the second time as the first", async () => {
    const machines = [preset("amd-8x4")!, preset("amd-8x4", "one-way")!, preset("amd-4x4")!];
    for (let pass = 0; pass < 2; pass++) {
      for (const m of machines) {
        for (const cores of [4, 16]) {
          const set = await routesFor(m, cores, ["unicast", "numa-multicast"]);
          expect(set["unicast@0"].edges).toEqual(await fresh(m, "unicast", cores));
          expect(set["numa-multicast@0"].edges).toEqual(await fresh(m, "numa-multicast", cores));
        }
      }
    }
  });

  it("keeps the most recently used entries, at most as many as it may", () => {
    const map = new Map<string, number>();
    let made = 0;
    const get = (k: string) => recent(map, k, 2, () => ++made);
    expect([get("a"), get("b"), get("a")]).toEqual([1, 2, 1]);
    get("c"); // evicts b, the least recently used
    expect([...map.keys()]).toEqual(["a", "c"]);
    expect(get("b")).toBe(4);
    expect(made).toBe(4);
  });
});
