import { describe, expect, it } from "vitest";
import { simulateInProcess, toChromeTrace } from "../../src/engine/index.ts";
import { tokenRing } from "./toy-system.ts";
import { inProcessSimulator, runExperiment } from "../../src/experiments/index.ts";
import { preset } from "../../src/hwmodel/index.ts";

describe("determinism", () => {
  it("the same run twice gives the same trace hash", async () => {
    const a = await runExperiment("urpc", preset("amd-4x4")!, {}, inProcessSimulator(), "inproc");
    const b = await runExperiment("urpc", preset("amd-4x4")!, {}, inProcessSimulator(), "inproc");
    expect(a.result.hashes).toEqual(b.result.hashes);
    expect(a.result.rows).toEqual(b.result.rows);
  });

  it("a different run gives a different hash", async () => {
    const a = await simulateInProcess(tokenRing({ cores: 4, laps: 3, work: 1, delay: 100 }));
    const b = await simulateInProcess(tokenRing({ cores: 4, laps: 3, work: 2, delay: 100 }));
    expect(a.hash).not.toBe(b.hash);
  });

  it("keeping the trace does not change the run, and it exports to Chrome's format", async () => {
    const sys = tokenRing({ cores: 3, laps: 2, work: 7, delay: 100 });
    const plain = await simulateInProcess(sys);
    const traced = await simulateInProcess(sys, { trace: true });
    expect(traced.hash).toBe(plain.hash);
    expect(traced.trace!.filter((r) => r.type === "handler")).toHaveLength(6);
    expect(traced.trace!.filter((r) => r.type === "send")).toHaveLength(5);
    const chrome = toChromeTrace([{ index: 0, name: "toy", clockGHz: 2, records: traced.trace! }]) as { traceEvents: { ph: string; tid: number; ts?: number }[] };
    const complete = chrome.traceEvents.filter((e) => e.ph === "X");
    expect(complete).toHaveLength(6);
    expect(complete[1]).toMatchObject({ tid: 1, ts: 107 / 2000 });
    expect(chrome.traceEvents.filter((e) => e.ph === "s")).toHaveLength(5);
    expect(chrome.traceEvents.filter((e) => e.ph === "f")).toHaveLength(5);
  });

  it("puts several simulations in one Chrome trace: a process each, flow ids apart", async () => {
    const a = (await simulateInProcess(tokenRing({ cores: 3, laps: 2, work: 7, delay: 100 }), { trace: true })).trace!;
    const b = (await simulateInProcess(tokenRing({ cores: 2, laps: 1, work: 3, delay: 50 }), { trace: true })).trace!;
    const one = (index: number, records: typeof a) => toChromeTrace([{ index, name: `ring ${index}`, clockGHz: 2, records }]) as { traceEvents: object[] };
    const both = toChromeTrace([
      { index: 0, name: "ring 0", clockGHz: 2, records: a },
      { index: 3, name: "ring 3", clockGHz: 2, records: b },
    ]) as { traceEvents: { ph: string; pid: number; id?: string; name: string; args?: { name?: string } }[] };
    // Each simulation's events are what it gives on its own, under its own pid.
    expect(both.traceEvents).toEqual([...one(0, a).traceEvents, ...one(3, b).traceEvents]);
    expect(both.traceEvents.filter((e) => e.name === "process_name").map((e) => [e.pid, e.args!.name])).toEqual([
      [0, "ring 0"],
      [3, "ring 3"],
    ]);
    const starts = both.traceEvents.filter((e) => e.ph === "s").map((e) => e.id);
    expect(new Set(starts).size).toBe(starts.length);
  });
});
