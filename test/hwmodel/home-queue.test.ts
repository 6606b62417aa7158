// The home agent's queue, against its definition on random request streams:
// never more than homeSlots transactions hold the home at once, each starts
// at the first cycle where a slot stays free through its homeOccupancy (after
// its arrival and its line's previous transaction), and an agent restored
// half-way (which starts without its scan cache) continues identically.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { HomeAgent, type LineRequest } from "../../src/hwmodel/coherence.ts";
import { duo } from "./helpers.ts";

const stream = fc.array(
  fc.record({
    gap: fc.integer({ min: 0, max: 40 }),
    requester: fc.integer({ min: 0, max: 3 }),
    line: fc.constantFrom("a", "b", "c", "d", "e"),
    op: fc.constantFrom<LineRequest["op"]>("read", "write", "rmw"),
  }),
  { minLength: 1, maxLength: 60 },
);

describe("the home agent's queue", () => {
  it("keeps within its slots, starts each transaction at the first cycle that fits, and survives a restore", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 3 }), stream, fc.nat(), (length, slots, reqs, cut) => {
        const m = duo({ homeOccupancy: length, homeSlots: slots });
        let arrival = 0;
        const arrivals = reqs.map((r) => (arrival += r.gap));
        const requests = reqs.map(({ requester, line, op }) => ({ requester, line, op }));
        const home = new HomeAgent(m, 0, 0);
        const txs = requests.map((req, i) => home.request(arrivals[i], req));

        const starts = txs.map((t) => t.serviced);
        const under = (booked: number[], p: number) => booked.filter((s) => s > p - length && s <= p).length;
        const fitsAt = (booked: number[], t: number) => {
          for (let p = t; p < t + length; p++) if (under(booked, p) + 1 > slots) return false;
          return true;
        };
        const released = new Map<string, number>();
        txs.forEach((tx, k) => {
          const before = starts.slice(0, k);
          const earliest = Math.max(arrivals[k], released.get(tx.line) ?? 0);
          expect(tx.serviced).toBeGreaterThanOrEqual(earliest);
          expect(fitsAt(before, tx.serviced)).toBe(true);
          for (let t = earliest; t < tx.serviced; t++) expect(fitsAt(before, t)).toBe(false);
          released.set(tx.line, tx.released);
        });

        const split = cut % requests.length;
        const first = new HomeAgent(m, 0, 0);
        requests.slice(0, split).forEach((req, i) => first.request(arrivals[i], req));
        const restored = HomeAgent.restore(m, JSON.parse(JSON.stringify(first.toJSON())));
        const rest = requests.slice(split).map((req, i) => restored.request(arrivals[split + i], req));
        expect(rest).toEqual(txs.slice(split));
      }),
      { seed: 11, numRuns: 1000 },
    );
  });
});
