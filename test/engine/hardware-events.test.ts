// The memory system's events run beside the CPU, not on it: a line's home
// agent answers while its core is busy, and a CPU handler never starts before
// a hardware event that arrived first.
import { describe, expect, it } from "vitest";
import { CoreRuntime, EventClass, type Context, type Kernel, type SimEvent } from "../../src/engine/index.ts";

const event = (time: number, cls: EventClass, kind: string, seq: number): SimEvent => ({ time, cls, src: 1, seq, kind, data: null });

/** Charges `work` for every CPU event; records who ran when. */
function recorder(work: number): Kernel & { log: string[] } {
  const log: string[] = [];
  return {
    log,
    handle(e: SimEvent, ctx: Context) {
      log.push(`${e.kind}@${ctx.now}`);
      if (e.cls !== EventClass.Hardware) ctx.charge(work);
    },
    snapshot: () => null,
    result: () => null,
  };
}

describe("hardware events", () => {
  it("run at their arrival while the CPU is busy, and before a CPU handler that starts after them", () => {
    const k = recorder(100);
    const rt = CoreRuntime.boot(0, k, [event(0, EventClass.Message, "a", 0), event(10, EventClass.Message, "b", 1), event(50, EventClass.Hardware, "probe", 2)], 10, 1, false);
    rt.process(Infinity, () => {});
    // a runs 0..100; the probe at 50 does not wait for it; b, queued at 10, starts at 100.
    expect(k.log).toEqual(["a@0", "probe@50", "b@100"]);
    expect(rt.clock).toBe(200);
  });

  it("a CPU handler starts only before the bound: what arrives before its start may still come", () => {
    const k = recorder(100);
    const rt = CoreRuntime.boot(0, k, [event(0, EventClass.Message, "a", 0), event(10, EventClass.Message, "b", 1)], 10, 1, false);
    rt.process(60, () => {});
    expect(k.log).toEqual(["a@0"]);
    // b arrived at 10 but starts at 100: that is when the core is next due.
    expect(rt.nextTime()).toBe(100);
    rt.deliver(event(70, EventClass.Hardware, "invalidate", 3));
    expect(rt.nextTime()).toBe(70);
    rt.process(120, () => {});
    expect(k.log).toEqual(["a@0", "invalidate@70", "b@100"]);
  });

  it("cannot keep the CPU busy", () => {
    const k: Kernel = { handle: (_e, ctx) => ctx.charge(5), snapshot: () => null, result: () => null };
    const rt = CoreRuntime.boot(0, k, [event(0, EventClass.Hardware, "probe", 0)], 10, 1, false);
    expect(() => rt.process(Infinity, () => {})).toThrow(/hardware event cannot keep the CPU busy/);
  });

  it("survive a snapshot in their own queue", () => {
    const k = recorder(100);
    const rt = CoreRuntime.boot(0, k, [event(0, EventClass.Message, "a", 0), event(150, EventClass.Hardware, "probe", 1)], 10, 1, false);
    rt.process(60, () => {});
    const again = CoreRuntime.restore(rt.snapshot(), k, 10, 1);
    expect(again.nextTime()).toBe(150);
    again.process(Infinity, () => {});
    expect(k.log).toEqual(["a@0", "probe@150"]);
  });
});
