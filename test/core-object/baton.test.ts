// How the holder of the baton starts the next window (baton.ts), without
// Durable Objects: itself by running it, the cores its messages went to in
// those deliveries while the others due fit the fan-out, the rest by a call.
import { describe, expect, it } from "vitest";
import { passOn, startsOf, type Pass } from "../../src/core-object/baton.ts";
import { NOTHING_STORED, type Baton } from "../../src/core-object/protocol.ts";
import { Horizons } from "../../src/engine/index.ts";

const baton = (agenda: number[], windows = 8): Baton => ({ agenda: Float64Array.from(agenda), rule: "horizons", maxCycles: Number.MAX_SAFE_INTEGER, eventsLeft: 1e9, windows });
const pass = (cores: number[]): Pass => ({ due: cores.map((core) => ({ core, bound: 100 + core })), baton: baton([]) });
const cores = (ds: { core: number }[]): number[] => ds.map((d) => d.core);

describe("startsOf", () => {
  it("starts the cores the holder messaged in those deliveries, calls the others, and runs its own window", () => {
    const how = startsOf(pass([0, 1, 2, 3]), 0, [1, 150, 3, 170, 5, 190], 8);
    expect(how.self).toEqual({ core: 0, bound: 100 });
    expect(cores(how.delivered)).toEqual([1, 3]);
    expect(cores(how.called)).toEqual([2]);
    expect(how.moves).toBe(false);
  });

  it("calls every other core through the tree once they outnumber the fan-out", () => {
    const sent = [1, 2, 3, 4].flatMap((c) => [c, 150]);
    expect(cores(startsOf(pass([1, 2, 3]), 0, sent, 3).delivered)).toEqual([1, 2, 3]);
    const wide = startsOf(pass([1, 2, 3, 4]), 0, sent, 3);
    expect(wide.delivered).toEqual([]);
    expect(cores(wide.called)).toEqual([1, 2, 3, 4]);
  });

  it("hands the baton on when one other core alone is due, in a delivery or a call", () => {
    expect(startsOf(pass([4]), 0, [4, 150], 8)).toMatchObject({ self: null, delivered: [{ core: 4 }], called: [], moves: true });
    expect(startsOf(pass([4]), 0, [], 8)).toMatchObject({ self: null, delivered: [], called: [{ core: 4 }], moves: true });
    expect(startsOf(pass([0]), 0, [], 8).moves).toBe(false);
  });
});

describe("passOn", () => {
  const horizons = new Horizons(100, 3);
  const part = (core: number, next: number, sent: number[] = []) => ({ events: 1, messages: sent.length / 2, next: [core, next], sent, stored: NOTHING_STORED });

  it("cuts the next window from every part of the last: each core's next event, lowered by the messages sent to it", () => {
    // Core 0 handled its event and has none left; it sent core 2 a message arriving at 150, before core 2's own event at 400.
    const p = passOn(baton([0, Infinity, 400]), horizons, [part(0, Infinity, [2, 150])])!;
    expect(Array.from(p.baton.agenda)).toEqual([Infinity, Infinity, 150]);
    expect(p.due).toEqual([{ core: 2, bound: 350 }]);
    expect(p.baton.windows).toBe(7);
  });

  it("stops when the baton has run its windows, the events run out, or nothing is left", () => {
    expect(passOn(baton([0, Infinity, 400], 0), horizons, [part(0, 200)])).toBeNull();
    expect(passOn({ ...baton([0, Infinity, 400]), eventsLeft: 1 }, horizons, [part(0, 200)])).toBeNull();
    expect(passOn(baton([0, Infinity, Infinity]), horizons, [part(0, Infinity)])).toBeNull();
  });
});
