import { describe, expect, it } from "vitest";
import { CostModel, preset } from "../../src/hwmodel/index.ts";
import { output, usageError } from "../cli/helpers.ts";

const run = (...argv: string[]) => output("skb", ...argv);
const usage = (...argv: string[]) => usageError("skb", ...argv);

describe("npm run cli -- skb", () => {
  it("route --json gives the machine, kind, root and edges", async () => {
    const out = await run("route", "--machine", "amd-8x4", "--kind", "numa-multicast", "--root", "0", "--json");
    const tree = out.json as { machine: string; kind: string; root: number; edges: { from: number; to: number; order: number; cost: number }[] };
    expect(tree).toMatchObject({ machine: "amd-8x4", kind: "numa-multicast", root: 0 });
    expect(tree.edges.length).toBe(31);
    // Barrelfish's order: the farthest package first (test/skb/numa-multicast.test.ts).
    expect(tree.edges[0]).toMatchObject({ from: 0, order: 0 });
    expect(tree.edges[0].cost).toBe(Math.max(...tree.edges.map((e) => e.cost)));
  });

  it("route prints a table, or Graphviz with --dot", async () => {
    expect((await run("route", "--machine", "amd-2x2", "--kind", "radix", "--fanout", "3")).text).toMatch(/^radix \(fan-out 3\) tree on amd-2x2 from core 0: 3 edges\n/);
    expect((await run("route", "--machine", "amd-2x2", "--kind", "unicast", "--dot")).text).toMatch(/^digraph /);
  });

  it("route --root all gives the tree from every core, each as --root gives it", async () => {
    const { trees } = (await run("route", "--machine", "amd-2x2", "--root", "all", "--json")).json as { trees: { root: number }[] };
    expect(trees.map((t) => t.root)).toEqual([0, 1, 2, 3]);
    for (const tree of trees) expect(tree).toEqual((await run("route", "--machine", "amd-2x2", "--root", String(tree.root), "--json")).json);
    const spanned = (await run("route", "--machine", "amd-2x2", "--cores", "3", "--root", "all", "--json")).json as { trees: { root: number }[] };
    expect(spanned.trees.map((t) => t.root)).toEqual([0, 1, 2]);
    const text = (await run("route", "--machine", "amd-2x2", "--root", "all")).text;
    expect(text.match(/^numa-multicast tree on amd-2x2 from core \d: 3 edges$/gm)).toHaveLength(4);
  });

  it("route --dot prints one digraph per tree, ending with a newline", async () => {
    const one = (await run("route", "--machine", "amd-2x2", "--dot")).text;
    expect(one).toMatch(/^digraph [^\n]*\n(.*\n)*}\n$/);
    const all = (await run("route", "--machine", "amd-2x2", "--root", "all", "--dot")).text;
    expect(all.match(/^digraph /gm)).toHaveLength(4);
    expect(all.match(/^}$/gm)).toHaveLength(4);
    expect(all.endsWith("}\n")).toBe(true);
  });

  it("runs on amd-8x4 when no machine is named, as run and machine do", async () => {
    expect((await run("facts")).text).toMatch(/^machine\('amd-8x4', 32,/);
    expect((await run("route", "--json")).json).toMatchObject({ machine: "amd-8x4", root: 0, kind: "numa-multicast" });
  });

  it("query prints one line per answer", async () => {
    expect((await run("query", "--machine", "amd-8x4", "hops(0, Q, 2)")).text).toBe("Q = 2\nQ = 3\nQ = 5\nQ = 6");
    expect((await run("query", "--machine", "amd-8x4", "core(7)")).text).toBe("true");
    expect((await run("query", "--machine", "amd-8x4", "core(77)")).text).toBe("false");
    expect((await run("query", "--machine", "amd-8x4", "--max-answers", "2", "core(C)")).text).toBe("C = 0\nC = 1\n... (more answers may follow: raise --max-answers)");
    expect((await run("query", "--machine", "amd-8x4", "--json", "leader(1, L)")).json).toEqual({ answers: [{ L: 4 }], truncated: false, output: "", outputTruncated: false });
    const rtt = (b: number) => new CostModel(preset("amd-2x2")!).roundTrip(0, b);
    expect((await run("query", "--machine", "amd-2x2", "route(broadcast, 0, S), X = 'A b'")).text).toBe(
      `S = [send(0,shared,[-(1,to(1,${rtt(1)},0)),-(2,to(2,${rtt(2)},0)),-(3,to(3,${rtt(3)},0))])], X = 'A b'`,
    );
  });

  it("facts prints the facts as Prolog, then what the rules derive", async () => {
    const text = (await run("facts", "--machine", "amd-2x2")).text;
    expect(text).toMatch(/^machine\('amd-2x2', 4, 2, 2\.8, hypertransport\)\.\n/);
    const cost = new CostModel(preset("amd-2x2")!);
    // Package 1's row: its round trips to package 0, then within itself.
    expect(text).toContain(`\nrtt_row(2, row(${cost.roundTrip(2, 0)},${cost.roundTrip(2, 3)})).\n`);
    expect(text).toContain("%   rtt(A, B, Cycles)");
  });

  it.each([
    [["route", "--machine", "amd-8x4", "--root", "40"], /^--root: /],
    [["route", "--machine", "amd-8x4", "--root", "any"], /^--root: must be a core number or all, got "any"$/],
    [["route", "--machine", "amd-8x4", "--kind", "anycast"], /^--kind: /],
    [["route", "--machine", "amd-8x4", "--kind", "radix", "--fanout", "0"], /^--fanout: /],
    [["route", "--machine", "amd-8x4", "--cores", "99"], /^--cores: /],
    [["route", "--machine", "amd-8x4", "--max-steps", "5"], /^--max-steps is not a flag of skb route \(skb query takes it\)$/],
    [["query", "--machine", "amd-8x4", "--max-steps", "0", "true"], /^--max-steps: /],
    [["query", "--machine", "amd-8x4", "rtt(0"], /^syntax error at line 1, column 6/],
    [["query", "--machine", "amd-8x4", "--max-steps", "500", "repeat, fail"], /500 resolution steps/],
    [["query", "--machine", "amd-8x4", "core(C), no_such(C)"], /^unknown predicate no_such\/1; the SKB knows: core\/1, /],
    [["query", "--machine", "amd-8x4", "assertz(core(99))"], /^assertz\/1 may not be called in an SKB query/],
    [["query", "--machine", "amd-8x4"], /a goal is required/],
    [["frob", "--machine", "amd-8x4"], /unknown sub-command "frob"/],
  ])("%j is a usage error naming what is wrong", async (argv, message) => {
    expect(await usage(...argv)).toMatch(message);
  });
});
