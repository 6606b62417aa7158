// What the line model predicts for the two shared-memory patterns the paper
// measures beyond Table 2, run straight on a HomeAgent (no kernel): a
// broadcast line that every other core polls (Figure 6's broadcast channel),
// and n cores updating the same k lines (Figure 3's shared-memory curve).
import { homeFor, HomeAgent } from "../../src/hwmodel/coherence.ts";
import type { Machine } from "../../src/hwmodel/machine.ts";

/**
 * One write by `writer` to a line in its own package's memory that every
 * reader already holds and polls. Returns, per reader in the order the home
 * served them, when the data landed, counted from the writer's store.
 */
export function broadcastLine(m: Machine, writer: number, readers: readonly number[]): { core: number; at: number; wait: number }[] {
  const h = homeFor(m, m.corePackage[writer]);
  const home = new HomeAgent(m, h.package, h.core);
  // Warm up: the writer owns the line, every reader has a copy.
  let t = home.request(home.arrival(writer, 0), { requester: writer, line: "bcast", op: "write" }).released;
  for (const r of readers) t = home.request(home.arrival(r, t), { requester: r, line: "bcast", op: "read" }).released;
  const issue = t + 1000;
  const { reads } = home.writePolled(home.arrival(writer, issue), { writer, line: "bcast", pollers: readers });
  return reads.map((r) => ({ core: r.requester, at: r.complete - issue, wait: r.wait }));
}

/**
 * n cores each storing to the same k lines (in the memory of `homePackage`)
 * over and over, without locks: a core's stores commit in order, so each core
 * has one RFO out at a time, and a store to a line it still owns needs none.
 * Returns the mean cycles one core takes to update all k lines, over `rounds`
 * rounds after one of warm-up, and the home's hottest lines.
 */
export function sharedUpdates(m: Machine, cores: readonly number[], k: number, homePackage = 0, rounds = 8) {
  const h = homeFor(m, homePackage);
  const home = new HomeAgent(m, h.package, h.core);
  const lines = Array.from({ length: k }, (_, i) => `shared:${i}`);
  // Pending requests by arrival at the home, ties by core: one per core at a time.
  const next = cores.map((c) => ({ core: c, store: 0, issue: 0, arrival: home.arrival(c, 0), done: [] as number[] }));
  const total = (rounds + 1) * k;
  for (;;) {
    let i = -1;
    for (let j = 0; j < next.length; j++) {
      const q = next[j];
      if (q.store >= total) continue;
      if (i < 0 || q.arrival < next[i].arrival || (q.arrival === next[i].arrival && q.core < next[i].core)) i = j;
    }
    if (i < 0) break;
    const q = next[i];
    const line = lines[q.store % k];
    const mine = home.holders(line).find(([c]) => c === q.core)?.[1];
    // A line the core still owns takes the store at once: no request goes out.
    const done = mine === "M" || mine === "E" ? q.issue : home.request(q.arrival, { requester: q.core, line, op: "write" }).complete;
    q.store++;
    if (q.store % k === 0) q.done.push(done);
    q.issue = done;
    q.arrival = home.arrival(q.core, done);
  }
  const perCore = next.map((q) => (q.done[rounds] - q.done[0]) / rounds);
  return { cyclesPerUpdate: perCore.reduce((a, b) => a + b, 0) / perCore.length, hottest: home.stats(3) };
}
