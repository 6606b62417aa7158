// A tree of bounded degree over the cores, for driving many cores at once
// (the durable engine's window barrier, fan-out of boot messages): no object
// may call more than maxFanout others, and the depth stays logarithmic.
//
// Package heads (the root for its own package, the lowest core of every other
// package) form a k-ary tree of fan-out a; under each head its package-mates
// form a tree of fan-out b, with a + b <= maxFanout. When a package's mates
// fit beside one head child they are all served directly (b = mates). Heads
// send to other heads first: those messages travel farthest.
//
// Plain TypeScript rather than Prolog: the engine wants it synchronously and
// for every run, and it follows from core -> package alone.
import type { Machine } from "../hwmodel/index.ts";
import { SkbFieldError } from "./errors.ts";
import { checkCores, checkRoot } from "./trees.ts";

/** children[c]: the cores c drives, in order; empty for leaves and for cores >= `cores` (default: all). */
export function barrierTree(
  machine: Machine,
  root = 0,
  maxFanout = 8,
  cores?: number,
): number[][] {
  const n = checkCores(machine, cores);
  checkRoot(root, n);
  if (!Number.isInteger(maxFanout) || maxFanout < 2) throw new SkbFieldError("maxFanout", `must be an integer >= 2, got ${maxFanout}`);

  const groups = new Map<number, number[]>(); // package index -> its participating cores, ascending
  for (let c = 0; c < n; c++) {
    const p = machine.corePackage[c];
    const g = groups.get(p);
    if (g) g.push(c);
    else groups.set(p, [c]);
  }
  const rootPackage = machine.corePackage[root];
  const heads: number[] = [root];
  const mates = new Map<number, number[]>([[root, groups.get(rootPackage)!.filter((c) => c !== root)]]);
  for (const [p, g] of [...groups].sort((x, y) => x[0] - y[0])) {
    if (p === rootPackage) continue;
    heads.push(g[0]);
    mates.set(g[0], g.slice(1));
  }

  const most = Math.max(...[...mates.values()].map((m) => m.length));
  const a = heads.length === 1 ? 0 : most < maxFanout ? maxFanout - most : Math.floor(maxFanout / 2);
  const b = maxFanout - a;

  const children: number[][] = Array.from({ length: machine.numCores }, () => []);
  heads.forEach((h, i) => {
    for (let j = a * i + 1; j <= a * i + a && j < heads.length; j++) children[h].push(heads[j]);
  });
  for (const h of heads) {
    const order = [h, ...mates.get(h)!];
    order.forEach((c, i) => {
      for (let j = b * i + 1; j <= b * i + b && j < order.length; j++) children[c].push(order[j]);
    });
  }
  return children;
}
