// A core resumes from its SQLite storage: evicted after a group commit, or
// asked for a window it already handled, the run's result does not change.
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { COMMIT_WINDOWS } from "../../src/core-object/protocol.ts";
import { core, expectInProcessOutcome, simulation, stepToEnd } from "./durable-helpers.ts";
import { relaySpec } from "./relay-experiment.ts";

describe("cores survive eviction", () => {
  it("every core and the Simulation evicted every two windows, after a commit: same result, nothing rolled back", async () => {
    const cores = 6;
    const spec = relaySpec(cores, { hops: 8, stride: 2 });
    const stub = simulation("evict");
    // Committed after every window: the cores have nothing to lose between two steps (of two windows: no baton runs more).
    await stub.start(spec, { continueByAlarm: false, fanout: 2, commitWindows: 1, baton: 0 });
    let status = await stub.step(2);
    let evictions = 0;
    while (status.state === "running") {
      // Rejects for a core that is not running (not called lately): nothing to evict then.
      for (let c = 0; c < cores; c++) await evictDurableObject(core("evict", c) as unknown as DurableObjectStub).catch(() => {});
      await evictDurableObject(stub as unknown as DurableObjectStub);
      evictions++;
      status = await stub.step(2);
    }
    expect(status.state).toBe("done");
    expect(evictions).toBeGreaterThan(2);
    expect(status.rollBacks).toBe(0);
    await expectInProcessOutcome(spec, await stub.outcome());
  });

  it("a core that handled more windows than a checkpoint spans is rebuilt from its checkpoint and the log after it: same result and trace", async () => {
    // Two cores passing one token 300 times: each handles 150 windows, past the checkpoint at 128.
    const spec = relaySpec(2, { hops: 300 });
    const stub = simulation("evict-log");
    await stub.start(spec, { continueByAlarm: false, trace: true, commitWindows: 1 });
    let status = await stub.step(7);
    while (status.state === "running") {
      for (let c = 0; c < 2; c++) await evictDurableObject(core("evict-log", c) as unknown as DurableObjectStub).catch(() => {});
      status = await stub.step(7);
    }
    expect((await core("evict-log", 0).state()).window).toBeGreaterThan(256);
    expect(status.state).toBe("done");
    const outcome = await stub.outcome();
    await expectInProcessOutcome(spec, outcome && { ...outcome, trace: await stub.traceRecords() }, true);
  });

  it("a Simulation run again from a loop saved COMMIT_WINDOWS and a baton's windows back: the cores answer them from their log, across a checkpoint", async () => {
    // Two cores passing one token: each checkpoints at its 128th window, about the 256th of the run.
    const spec = relaySpec(2, { hops: 400 });
    const stub = simulation("behind");
    // Saving its loop after every window, the Simulation is put back to the loop saved at window 230 below.
    await stub.start(spec, { continueByAlarm: false, commitWindows: 1 });
    await stub.step(230);
    const record = await runInDurableObject(stub as unknown as DurableObjectStub, (_o, state: DurableObjectState) => state.storage.kv.get<{ loop: { windows: number } }>("simulation"))!;
    const saved = record!.loop.windows;
    // The most a Simulation runs between two saves of its loop: up to COMMIT_WINDOWS, and a baton's windows past it.
    let ahead = saved;
    while (ahead - saved < COMMIT_WINDOWS) ahead = (await stub.step(COMMIT_WINDOWS)).progress.windows;
    const checkpoints = await Promise.all(
      [0, 1].map((c) => runInDurableObject(core("behind", c) as unknown as DurableObjectStub, (_o, state: DurableObjectState) => state.storage.kv.get<{ checkpoint: number }>("meta")!.checkpoint)),
    );
    expect(checkpoints.some((w) => w > saved)).toBe(true);
    // As if the Simulation had died before saving again.
    await runInDurableObject(stub as unknown as DurableObjectStub, (_o, state: DurableObjectState) => state.storage.kv.put("simulation", record));
    await evictDurableObject(stub as unknown as DurableObjectStub);
    expect((await stub.status())!.progress.windows).toBe(saved);
    expect((await stepToEnd(stub)).state).toBe("done");
    await expectInProcessOutcome(spec, await stub.outcome());
  });

  it("a window asked for again is answered from the saved report, not handled twice", async () => {
    const spec = relaySpec(3, { hops: 3 });
    const stub = simulation("replay");
    await stub.start(spec, { continueByAlarm: false, baton: 0 });
    await stub.step(1); // window 0 alone: all three cores have a token at t < 100
    const again = await core("replay", 0).window(0, [100, 100, 100], [0, 1, 2]);
    expect(again.failure).toBeNull();
    expect(again.events).toBe(3);
    expect((await core("replay", 1).state()).window).toBe(0);
    expect((await stepToEnd(stub)).state).toBe("done");
    await expectInProcessOutcome(spec, await stub.outcome());
  });
});
