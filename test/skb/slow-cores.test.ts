// The SKB on a machine of mixed clocks: it knows each core's clock, and its
// NUMA-aware tree makes the fastest core of every package forward for it, so
// the slow cores are leaves; the plain multicast keeps the paper's
// lowest-numbered leaders.
import { describe, expect, it } from "vitest";
import { CostModel, Machine, preset, presetDescription } from "../../src/hwmodel/index.ts";
import { childrenOf, SystemKnowledgeBase } from "../../src/skb/index.ts";
import { expectTree } from "./helpers.ts";

const bigLittle = () => preset("amd-8x4-biglittle")!;
const slow = (c: number) => bigLittle().coreClockGHz[c] < 2;

describe("the SKB on cores of different clocks", () => {
  it("holds each core's clock, and each package's cores fastest first", async () => {
    const kb = await SystemKnowledgeBase.for(bigLittle());
    expect((await kb.query("core_clock(5, G)")).answers).toEqual([{ G: 1 }]);
    expect((await kb.query("core_clock(6, G)")).answers).toEqual([{ G: 2 }]);
    expect((await kb.query("package_cores_by_clock(1, Cs)")).answers).toEqual([{ Cs: [6, 7, 4, 5] }]);
    expect((await kb.query("forwarder(1, F), leader(1, L)")).answers).toEqual([{ F: 6, L: 4 }]);
    expect((await kb.query("package_forwarder(1, F, Ms)")).answers).toEqual([{ F: 6, Ms: [4, 5, 7] }]);
  });

  it("its round trips are the cost model's, each end at its own clock", async () => {
    const m = bigLittle();
    const kb = await SystemKnowledgeBase.for(m);
    const cost = new CostModel(m);
    const { answers } = await kb.query("rtt(A, B, C)", { maxAnswers: 32 * 32, maxSteps: 1_000_000, maxMs: 60_000 });
    expect(answers).toHaveLength(32 * 31);
    for (const a of answers as { A: number; B: number; C: number }[]) expect(a.C).toBe(cost.roundTrip(a.A, a.B));
  });

  it("numa-multicast: only fast cores forward, every slow core but the root is a leaf", async () => {
    const kb = await SystemKnowledgeBase.for(bigLittle());
    for (const root of [0, 2, 13, 31]) {
      const tree = await kb.route("numa-multicast", root);
      expectTree(bigLittle(), tree);
      const forwarders = [...childrenOf(tree).keys()].filter((c) => c !== root);
      expect(forwarders.length).toBe(7);
      expect(forwarders.filter(slow)).toEqual([]);
      // Each forwards for its package: the lower of its two fast cores.
      expect(forwarders.every((f) => f % 4 === 2)).toBe(true);
    }
  });

  it("multicast keeps the lowest-numbered leaders, here the slow cores", async () => {
    const tree = await (await SystemKnowledgeBase.for(bigLittle())).route("multicast", 0);
    const forwarders = [...childrenOf(tree).keys()].filter((c) => c !== 0);
    expect(forwarders).toEqual([4, 8, 12, 16, 20, 24, 28]);
    expect(forwarders.every(slow)).toBe(true);
  });

  it("over fewer cores, the fastest booted core forwards: a package with no fast core booted has a slow one", async () => {
    const kb = await SystemKnowledgeBase.for(bigLittle());
    // Cores 0..6: package 1 has 4, 5 (slow) and 6 (fast) booted.
    const seven = await kb.route("numa-multicast", 0, { cores: 7 });
    expectTree(bigLittle(), seven, 7);
    expect(childrenOf(seven).get(6)).toEqual([4, 5]);
    // Cores 0..5: package 1 has only its slow cores 4 and 5.
    const six = await kb.route("numa-multicast", 0, { cores: 6 });
    expectTree(bigLittle(), six, 6);
    expect(childrenOf(six).get(4)).toEqual([5]);
  });

  it("on a machine of one clock the NUMA-aware tree is the one it always was: forwarders are the lowest cores", async () => {
    const d = structuredClone(presetDescription("amd-8x4")!);
    d.packages[5].clockGHz = 2; // the machine's own clock: no change
    const tree = await (await SystemKnowledgeBase.for(Machine.from(d))).route("numa-multicast", 0);
    const ref = await (await SystemKnowledgeBase.for(preset("amd-8x4")!)).route("numa-multicast", 0);
    expect(tree.edges).toEqual(ref.edges);
    expect([...childrenOf(ref).keys()].filter((c) => c !== 0).sort((a, b) => a - b)).toEqual([4, 8, 12, 16, 20, 24, 28]);
  });
});
