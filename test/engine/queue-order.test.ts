import { describe, expect, it } from "vitest";
import { EventClass, EventQueue, type SimEvent } from "../../src/engine/index.ts";

const ev = (time: number, cls: EventClass, src: number, seq: number): SimEvent => ({ time, cls, src, seq, kind: "k", data: null });

describe("event queue", () => {
  it("orders by arrival time, then event class, then source core, then source sequence", () => {
    const ordered = [
      ev(5, EventClass.Control, 3, 0),
      ev(5, EventClass.Interrupt, 0, 9),
      ev(5, EventClass.Message, 1, 2),
      ev(5, EventClass.Message, 1, 3),
      ev(5, EventClass.Message, 2, 0),
      ev(5, EventClass.Timer, 0, 0),
      ev(6, EventClass.Control, 0, 0),
    ];
    // Every insertion order gives the same pop order: try a fixed set of permutations.
    for (let shift = 0; shift < ordered.length; shift++) {
      for (const reverse of [false, true]) {
        const input = [...ordered.slice(shift), ...ordered.slice(0, shift)];
        if (reverse) input.reverse();
        const q = EventQueue.from(input);
        const out: SimEvent[] = [];
        while (q.size) out.push(q.pop()!);
        expect(out).toEqual(ordered);
      }
    }
  });

  it("reports the next arrival time, Infinity when empty", () => {
    const q = new EventQueue();
    expect(q.nextTime()).toBe(Infinity);
    q.push(ev(40, EventClass.Message, 0, 0));
    q.push(ev(12, EventClass.Message, 0, 1));
    expect(q.nextTime()).toBe(12);
    expect(q.toArray().map((e) => e.time)).toEqual([12, 40]);
  });
});
