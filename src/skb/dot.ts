// A routing tree as Graphviz: `dot -Tsvg`. Edge labels give the send order
// and the round trip; a buffer placed at the receiver is marked, and the
// broadcast's one shared channel is dashed. Given the machine, cores are
// grouped by package.
import type { Machine } from "../hwmodel/index.ts";
import type { RoutingTree } from "./trees.ts";

export function treeToDot(tree: RoutingTree, machine?: Machine): string {
  const title = `${tree.kind}${tree.fanout ? ` k=${tree.fanout}` : ""} on ${tree.machine} from core ${tree.root}`;
  const cores = [...new Set([tree.root, ...tree.edges.flatMap((e) => [e.from, e.to])])].sort((a, b) => a - b);
  const node = (c: number, indent: string) => `${indent}c${c} [label="${c}"${c === tree.root ? ", shape=doublecircle" : ""}];`;
  const lines = [`digraph "${title.replace(/"/g, '\\"')}" {`, `  label="${title.replace(/"/g, '\\"')}";`, "  node [shape=circle];"];
  if (machine) {
    const byPackage = new Map<number, number[]>();
    for (const c of cores) {
      const p = machine.corePackage[c];
      byPackage.set(p, [...(byPackage.get(p) ?? []), c]);
    }
    for (const [p, members] of [...byPackage].sort((x, y) => x[0] - y[0])) {
      lines.push(`  subgraph cluster_p${p} {`, `    label="package ${machine.packageIds[p]}";`, ...members.map((c) => node(c, "    ")), "  }");
    }
  } else {
    lines.push(...cores.map((c) => node(c, "  ")));
  }
  for (const e of tree.edges) {
    const label = `#${e.order} ${e.cost}${e.bufferAt === e.to && e.to !== e.from ? " buf@dst" : ""}`;
    lines.push(`  c${e.from} -> c${e.to} [label="${label}"${e.shared ? ", style=dashed" : ""}];`);
  }
  lines.push("}");
  return `${lines.join("\n")}\n`;
}
