// Properties of the line model over random request sequences on random small
// machines: never two owners, every transaction completes after it is
// serviced, a line's transactions never overlap, every event the home asks
// for respects the lookahead, and a restored snapshot goes on identically.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { HomeAgent, type LineOp, type Transaction } from "../../src/hwmodel/coherence.ts";
import { interconnectOf } from "../../src/hwmodel/interconnect.ts";
import { Machine, regularMachine } from "../../src/hwmodel/index.ts";

const machines = fc
  .record({
    packages: fc.integer({ min: 1, max: 4 }),
    diesPerPackage: fc.integer({ min: 1, max: 2 }),
    coresPerDie: fc.integer({ min: 1, max: 2 }),
    sharedCache: fc.constantFrom("die-l2" as const, "package-l3" as const, "none" as const),
    fsb: fc.boolean(),
    clockGHz: fc.constantFrom(1, 2, 2.5),
    costs: fc.record({
      chipLeg: fc.integer({ min: 1, max: 20 }),
      hopLeg: fc.integer({ min: 1, max: 40 }),
      probeLookup: fc.integer({ min: 1, max: 20 }),
      homeOccupancy: fc.integer({ min: 0, max: 40 }),
      dieTransfer: fc.integer({ min: 1, max: 30 }),
      dieOccupancy: fc.integer({ min: 0, max: 20 }),
      linkGBps: fc.integer({ min: 1, max: 8 }),
      memoryNs: fc.integer({ min: 10, max: 100 }),
    }),
  })
  .map((r) =>
    Machine.from(
      regularMachine({
        name: "random",
        clockGHz: r.clockGHz,
        packages: r.packages,
        diesPerPackage: r.diesPerPackage,
        coresPerDie: r.coresPerDie,
        sharedCache: r.sharedCache,
        links: r.fsb ? "fsb" : "ring",
        costs: r.costs,
      }),
    ),
  );

const steps = fc.array(
  fc.record({
    core: fc.nat(),
    line: fc.constantFrom("a", "b", "c"),
    op: fc.constantFrom<LineOp | "polled">("read", "write", "rmw", "polled"),
    gap: fc.integer({ min: 0, max: 60 }),
  }),
  { minLength: 1, maxLength: 60 },
);

type Step = { core: number; line: string; op: LineOp | "polled"; gap: number };

/** Runs the steps on a home, checking each transaction; returns the transactions. */
function drive(m: Machine, home: HomeAgent, seq: Step[], start = 0): Transaction[] {
  const net = interconnectOf(m);
  const pkg = (core: number) => m.corePackage[core];
  const released = new Map<string, number>();
  const out: Transaction[] = [];
  let t = start;
  for (const s of seq) {
    t += s.gap;
    const requester = s.core % m.numCores;
    const arrival = home.arrival(requester, t);
    expect(arrival - t).toBeGreaterThanOrEqual(net.lags(pkg(requester), home.homePackage).request);
    const txs =
      s.op === "polled"
        ? (({ write, reads }) => [write, ...reads])(
            home.writePolled(arrival, { writer: requester, line: s.line, pollers: home.holders(s.line).map(([c]) => c) }),
          )
        : [home.request(arrival, { requester, line: s.line, op: s.op })];
    for (const tx of txs) {
      for (const v of [tx.arrival, tx.serviced, tx.complete, tx.released, ...tx.notices.map((n) => n.at)]) expect(Number.isSafeInteger(v)).toBe(true);
      expect(tx.wait).toBe(tx.serviced - tx.arrival);
      expect(tx.serviced).toBeGreaterThanOrEqual(tx.arrival);
      // The line's transactions are serialised: each starts after the previous one released it.
      expect(tx.serviced).toBeGreaterThanOrEqual(released.get(tx.line) ?? 0);
      // What the engine's lookahead counts on (Interconnect.lags): a home answers no sooner.
      expect(tx.complete - tx.arrival).toBeGreaterThanOrEqual(net.lags(home.homePackage, pkg(tx.requester)).answer);
      expect(tx.released).toBeGreaterThanOrEqual(tx.complete);
      for (const n of tx.notices) {
        expect(n.at - tx.arrival).toBeGreaterThanOrEqual(net.lags(home.homePackage, pkg(n.core)).answer);
        expect(n.core).not.toBe(tx.requester);
      }
      released.set(tx.line, tx.released);
      out.push(tx);
    }
    const holders = home.holders(s.line);
    const owners = holders.filter(([, st]) => st === "M" || st === "O" || st === "E");
    expect(owners.length).toBeLessThanOrEqual(1);
    if (holders.some(([, st]) => st === "M" || st === "E")) expect(holders).toHaveLength(1);
    if (m.interconnect === "fsb") expect(holders.some(([, st]) => st === "O")).toBe(false);
    const last = out[out.length - 1];
    expect(holders.find(([c]) => c === last.requester)?.[1]).toBe(last.granted);
  }
  return out;
}

describe("line model properties", () => {
  it("never two owners; every transaction completes, serialised per line, within the lookahead", () => {
    fc.assert(
      fc.property(machines, fc.nat(), steps, (m, p, seq) => {
        const pkg = p % m.numPackages;
        drive(m, new HomeAgent(m, m.interconnect === "fsb" ? 0 : pkg, m.packageCores[pkg][0]), seq);
      }),
      { numRuns: 300, seed: 11 },
    );
  });

  it("a restored snapshot goes on exactly as the original", () => {
    fc.assert(
      fc.property(machines, steps, steps, (m, before, after) => {
        const home = new HomeAgent(m, 0, 0);
        const done = drive(m, home, before);
        const copy = HomeAgent.restore(m, JSON.parse(JSON.stringify(home)));
        const t = done[done.length - 1].arrival;
        expect(drive(m, copy, after, t)).toEqual(drive(m, home, after, t));
      }),
      { numRuns: 150, seed: 12 },
    );
  });
});
