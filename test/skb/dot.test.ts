import { describe, expect, it } from "vitest";
import { CostModel, preset } from "../../src/hwmodel/index.ts";
import { SystemKnowledgeBase, treeToDot } from "../../src/skb/index.ts";

describe("Graphviz output", () => {
  it("draws every edge with its send order and round trip, cores grouped by package", async () => {
    const machine = preset("amd-2x2")!;
    const tree = await (await SystemKnowledgeBase.for(machine)).route("numa-multicast", 1);
    const rtt = (a: number, b: number) => new CostModel(machine).roundTrip(a, b);
    expect(treeToDot(tree, machine)).toBe(
      [
        'digraph "numa-multicast on amd-2x2 from core 1" {',
        '  label="numa-multicast on amd-2x2 from core 1";',
        "  node [shape=circle];",
        "  subgraph cluster_p0 {",
        '    label="package 0";',
        '    c0 [label="0"];',
        '    c1 [label="1", shape=doublecircle];',
        "  }",
        "  subgraph cluster_p1 {",
        '    label="package 1";',
        '    c2 [label="2"];',
        '    c3 [label="3"];',
        "  }",
        `  c1 -> c2 [label="#0 ${rtt(1, 2)} buf@dst"];`,
        `  c1 -> c0 [label="#1 ${rtt(1, 0)}"];`,
        `  c2 -> c3 [label="#0 ${rtt(2, 3)}"];`,
        "}",
        "", // a text file ends with a newline
      ].join("\n"),
    );
  });

  it("dashes the broadcast's shared channel and works without the machine", async () => {
    const tree = await (await SystemKnowledgeBase.for(preset("amd-2x2")!)).route("broadcast", 0);
    const dot = treeToDot(tree);
    expect(dot).toContain('  c0 [label="0", shape=doublecircle];');
    expect(dot.match(/style=dashed/g)?.length).toBe(3);
    expect(dot).not.toContain("subgraph");
  });
});
