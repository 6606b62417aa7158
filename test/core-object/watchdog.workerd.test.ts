// Lost alarms do not stall a run for ever: the watchdog (lifecycle.ts),
// driven by the Registry for runs and by a waiting run() for simulations,
// resumes an object that has made no progress for STALL_MS, and fails it
// with the reason after MAX_RESUMES resumptions in vain; it then expires.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { MAX_RESUMES, STALL_MS } from "../../src/core-object/lifecycle.ts";
import type { RunRequest } from "../../src/core-object/protocol.ts";
import { runStub } from "../../src/core-object/stubs.ts";
import { preset } from "../../src/hwmodel/index.ts";
import { LOSE_ALARMS } from "../worker.ts";
import { finished } from "../api/helpers.ts";
import { expectInProcessOutcome, simulation } from "./durable-helpers.ts";
import { relaySpec } from "./relay-experiment.ts";

type Rec = { progressAt: number; endedAt: number | null; alarmAt: number | null };

const request: RunRequest = {
  experiment: "shootdown",
  machine: preset("amd-4x4")!.description,
  params: { cores: [2, 4], protocols: ["unicast"], reps: 1 },
  engine: "inproc",
  trace: false,
  faults: null,
};

const object = (ns: DurableObjectNamespace, name: string) => ns.getByName(name) as unknown as DurableObjectStub;
const loseAlarms = (o: DurableObjectStub, lose: boolean) =>
  runInDurableObject(o, (_, state) => (lose ? state.storage.kv.put(LOSE_ALARMS, true) : state.storage.kv.delete(LOSE_ALARMS)));
/** As if STALL_MS had passed since the object last made progress. */
const stall = (o: DurableObjectStub) =>
  runInDurableObject(o, (obj) => {
    (obj as unknown as { rec: Rec }).rec.progressAt -= STALL_MS;
  });
/** The Registry's watchdog round, now. */
const watchRound = () => runDurableObjectAlarm(object(env.REGISTRY, "registry"));

/** A run whose alarms are all lost: it never takes its first step. */
async function stalledRun(id: string) {
  const o = object(env.RUN, id);
  await loseAlarms(o, true);
  const started = await runStub(env.RUN, id).start(request);
  expect(started.ok).toBe(true);
  return o;
}

afterEach(() => vi.restoreAllMocks());

describe("the watchdog", () => {
  it("resumes a run whose alarm was lost, which then ends with its result", async () => {
    const id = "a".repeat(32);
    const o = await stalledRun(id);
    // Not yet: a run idle for less than STALL_MS is left alone.
    expect(await watchRound()).toBe(true);
    expect((await runStub(env.RUN, id).status())!.progress.events).toBe(0);
    await stall(o);
    await loseAlarms(o, false);
    expect(await watchRound()).toBe(true);
    const s = await finished(id);
    expect(s.status).toBe("done");
    expect(s.result!.series[0].points.map((p) => p.cores)).toEqual([2, 4]);
  });

  it(`fails a run that makes no progress after ${MAX_RESUMES} resumptions, with the reason, and it expires`, async () => {
    const id = "b".repeat(32);
    const o = await stalledRun(id);
    const run = runStub(env.RUN, id);
    for (let i = 0; i < MAX_RESUMES; i++) {
      await stall(o);
      expect(await run.watch()).toBe("resumed");
    }
    await stall(o);
    await watchRound();
    const s = (await run.status())!;
    expect(s.status).toBe("failed");
    expect(s.error).toMatch(/^stalled: no progress for \d+ s, though resumed 3 times$/);
    await runInDurableObject(o, (obj) => {
      (obj as unknown as { rec: Rec }).rec.endedAt! -= Number(env.RUN_RETENTION_SECONDS) * 1000;
    });
    expect(await run.watch()).toBe("expired");
    expect(await run.status()).toBeNull();
  });

  it("resumes a simulation that drives itself and lost its alarm", async () => {
    const spec = relaySpec(3, { hops: 6 });
    const stub = simulation("watchdog-sim");
    const o = object(env.SIMULATION, "watchdog-sim");
    await loseAlarms(o, true);
    await stub.start(spec, { windowsPerInvocation: 2 });
    await stall(o);
    await loseAlarms(o, false);
    expect(await stub.watch()).toBe("resumed");
    for (let s = await stub.status(); s!.state === "booting" || s!.state === "running"; s = await stub.status()) await new Promise((r) => setTimeout(r, 20));
    await expectInProcessOutcome(spec, await stub.outcome());
  });

  it("sets every alarm later than the last, even within one millisecond", async () => {
    vi.spyOn(Date, "now").mockReturnValue(Date.now() + 60_000);
    const stub = simulation("alarm-order");
    await stub.start(relaySpec(2, { hops: 1 }), {});
    const o = object(env.SIMULATION, "alarm-order");
    const times = await runInDurableObject(o, async (obj, state) => {
      const later = (obj as unknown as { continueLater(): Promise<void> }).continueLater.bind(obj);
      const seen = [await state.storage.getAlarm()];
      for (let i = 0; i < 3; i++) {
        await later();
        seen.push(await state.storage.getAlarm());
      }
      return seen;
    });
    expect(times.map((t) => t! - times[0]!)).toEqual([0, 1, 2, 3]);
  });
});
