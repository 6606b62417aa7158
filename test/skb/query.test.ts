import { describe, expect, it } from "vitest";
import { CostModel, preset } from "../../src/hwmodel/index.ts";
import { SystemKnowledgeBase } from "../../src/skb/index.ts";
import { presets } from "./helpers.ts";

describe("queries", () => {
  it("counts the cores", async () => {
    const kb = await SystemKnowledgeBase.for(preset("amd-8x4")!);
    const { answers, truncated } = await kb.query("findall(C, core(C), Cs), length(Cs, N)");
    expect(answers).toEqual([{ Cs: Array.from({ length: 32 }, (_, c) => c), N: 32 }]);
    expect(truncated).toBe(false);
  });

  it.each(presets())("rtt/3 on %s matches the cost model's URPC round trip for every ordered pair", async (_, machine) => {
    const kb = await SystemKnowledgeBase.for(machine);
    const n = machine.numCores;
    const { answers, truncated } = await kb.query("rtt(A, B, C)", { maxAnswers: n * n, maxSteps: 1_000_000, maxMs: 60_000 });
    expect(truncated).toBe(false);
    expect(answers.length).toBe(n * (n - 1));
    const cost = new CostModel(machine);
    for (const { A, B, C } of answers) expect(C).toBe(cost.roundTrip(A as number, B as number));
  });

  it("derives hops, leaders and cache sharing", async () => {
    const kb = await SystemKnowledgeBase.for(preset("amd-8x4")!);
    expect((await kb.query("hops(0, 5, H)")).answers).toEqual([{ H: 2 }]);
    expect((await kb.query("leader(3, L)")).answers).toEqual([{ L: 12 }]);
    expect((await kb.query("shares_cache(5, B, 3)")).answers.map((a) => a.B)).toEqual([4, 6, 7]);
    expect((await kb.query("shares_cache(5, 9, _)")).answers).toEqual([]);
    expect((await kb.query("findall(Q, link(0, Q), Qs)")).answers).toEqual([{ Qs: [1, 4, 7] }]);
  });

  it("answers a route query in the rules' own terms, as structured JSON", async () => {
    const machine = preset("amd-2x2")!;
    const kb = await SystemKnowledgeBase.for(machine);
    const rtt = (a: number, b: number) => new CostModel(machine).roundTrip(a, b);
    const { answers } = await kb.query("route(multicast, 0, Sends)");
    const to = (key: number, dest: number, cost: number, bufferAt: number) => ({ functor: "-", args: [key, { functor: "to", args: [dest, cost, bufferAt] }] });
    expect(answers).toEqual([
      {
        Sends: [
          { functor: "send", args: [0, "private", [to(1, 1, rtt(0, 1), 0), to(2, 2, rtt(0, 2), 0)]] },
          { functor: "send", args: [2, "private", [to(3, 3, rtt(2, 3), 2)]] },
        ],
      },
    ]);
  });

  it("stops at maxAnswers and says more may follow", async () => {
    const kb = await SystemKnowledgeBase.for(preset("amd-8x4")!);
    const { answers, truncated } = await kb.query("core(C)", { maxAnswers: 3 });
    expect(answers).toEqual([{ C: 0 }, { C: 1 }, { C: 2 }]);
    expect(truncated).toBe(true);
  });

  it("answers true with no bindings, and no answers for false", async () => {
    const kb = await SystemKnowledgeBase.for(preset("amd-2x2")!);
    expect(await kb.query("core(3).")).toEqual({ answers: [{}], truncated: false, output: "", outputTruncated: false });
    expect((await kb.query("core(4)")).answers).toEqual([]);
  });

  it("sees measured round trips a run supplies", async () => {
    const kb = await SystemKnowledgeBase.for(preset("amd-2x2")!, { rtt: (a, b) => 1000 + 10 * a + b });
    expect((await kb.query("rtt(2, 1, C), rtt_source(S)")).answers).toEqual([{ C: 1021, S: "override" }]);
  });

  it("runs concurrent queries, each with its own answers", async () => {
    const kb = await SystemKnowledgeBase.for(preset("amd-4x4")!);
    const [a, b, t] = await Promise.all([kb.query("leader(1, L)"), kb.query("hops(0, 3, H)"), kb.route("unicast", 0)]);
    expect(a.answers).toEqual([{ L: 4 }]);
    expect(b.answers).toEqual([{ H: 2 }]);
    expect(t.edges.length).toBe(15);
  });
});
