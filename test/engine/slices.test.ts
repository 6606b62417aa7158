// A long in-process simulation shares its object: it pauses between chunks
// of events (so requests are answered while it works) and ends a slice at a
// wall-time deadline as well as at an event count.
import { describe, expect, it } from "vitest";
import { InProcessTransport, SimulationLoop, simulateInProcess, type Slice } from "../../src/engine/index.ts";
import { tokenRing } from "./toy-system.ts";

const ring = () => tokenRing({ cores: 4, laps: 50, work: 5, delay: 100 }); // 200 events, one per window

async function loop() {
  const system = ring();
  return SimulationLoop.start(new InProcessTransport(system), system.lookahead);
}

describe("slices of a simulation", () => {
  it("pause between chunks, with the events handled so far", async () => {
    const l = await loop();
    const seen: number[] = [];
    const slice: Slice = { chunk: 30, events: 100, deadline: Infinity, clock: () => 0, pause: async () => (seen.push(l.loop.events), true) };
    await l.advanceSlice(slice);
    expect(seen).toEqual([30, 60, 90]);
    expect(l.loop.events).toBe(100);
  });

  it("end at the first pause past the deadline, whatever the events left", async () => {
    const l = await loop();
    let now = 0;
    // Each pause takes 40 ms of wall time: past 100 ms after the third.
    await l.advanceSlice({ chunk: 10, events: 1000, deadline: 100, clock: () => now, pause: async () => ((now += 40), true) });
    expect(l.loop.events).toBe(30);
    expect(l.loop.stopped).toBeNull();
  });

  it("end when a pause says so, and carry on from there in the next slice to the same outcome", async () => {
    const l = await loop();
    await l.advanceSlice({ chunk: 25, events: 1000, deadline: Infinity, clock: () => 0, pause: async () => false });
    expect(l.loop.events).toBe(25);
    while (!l.loop.stopped) await l.advanceSlice({ chunk: 7, events: 40, deadline: Infinity, clock: () => 0, pause: async () => true });
    const sliced = await l.finish();
    const whole = await simulateInProcess(ring());
    expect(sliced.hash).toBe(whole.hash);
    expect(sliced.cores).toEqual(whole.cores);
  });
});
