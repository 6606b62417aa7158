// Queue, don't refuse: past MAX_CONCURRENT_RUNS a run waits its turn (202,
// status queued, with its place); only past MAX_QUEUED_RUNS more is it
// refused (429 and Retry-After). Places are held here by runs that do not
// exist, which the Registry passes over when their turn comes.
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import type { RunStatus } from "../../src/core-object/protocol.ts";
import { registryStub } from "../../src/core-object/stubs.ts";
import { inProcessSimulator, runExperiment } from "../../src/experiments/index.ts";
import { preset } from "../../src/hwmodel/index.ts";
import { accepted, expectError, finished, json, request } from "./helpers.ts";

const registry = () => registryStub(env.REGISTRY);
const MAX_RUNNING = Number(env.MAX_CONCURRENT_RUNS);
const MAX_QUEUED = Number(env.MAX_QUEUED_RUNS);
const small = (calls: number) => ({ experiment: "lrpc", machine: "amd-2x2", engine: "inproc", params: { calls } });

/** Take every running place (and `queued` places in the queue) with runs that do not exist. */
async function occupy(queued = 0): Promise<string[]> {
  const held = Array.from({ length: MAX_RUNNING + queued }, (_, i) => `held-${i}`);
  for (const run of held) await registry().admit(run);
  expect(await registry().active()).toHaveLength(MAX_RUNNING);
  expect(await registry().queued()).toHaveLength(queued);
  return held;
}

const free = async (held: string[]) => {
  for (const run of held) await registry().release(run);
};

afterEach(async () => {
  await free([...(await registry().active()), ...(await registry().queued())].filter((r) => r.startsWith("held-")));
});

describe("the queue", () => {
  it("past MAX_CONCURRENT_RUNS a run is queued with its place, and runs when a place comes free", async () => {
    const held = await occupy();
    const a = await accepted(small(2));
    expect(a).toMatchObject({ status: "queued", queuePosition: 1 });
    const waiting = await json<RunStatus>(await request("GET", a.location), 200);
    expect(waiting).toMatchObject({ status: "queued", queuePosition: 1, result: null, progress: { events: 0 } });
    expect(waiting.simulations.every((s) => s.state === "pending")).toBe(true);
    await registry().release(held[0]);
    const s = await finished(a.id);
    expect(s.status).toBe("done");
    expect(s.queuePosition).toBeNull();
    await free(held.slice(1));
  });

  it("only past MAX_QUEUED_RUNS is a run refused, with Retry-After", async () => {
    const held = await occupy(MAX_QUEUED);
    const res = await request("POST", "/api/runs", small(1));
    expect(res.headers.get("retry-after")).toMatch(/^\d+$/);
    await expectError(res, 429, null, new RegExp(`${MAX_RUNNING} runs are under way and ${MAX_QUEUED} queued.*MAX_QUEUED_RUNS`));
    await free(held);
    expect(await registry().queued()).toEqual([]);
  });

  it("a queued run can be cancelled, and leaves the queue to those behind it", async () => {
    const held = await occupy();
    const first = await accepted(small(1));
    const second = await accepted(small(1));
    expect([first.queuePosition, second.queuePosition]).toEqual([1, 2]);
    expect(await json(await request("DELETE", first.location), 200)).toMatchObject({ status: "cancelled", queuePosition: null, result: null });
    expect(await json(await request("GET", second.location), 200)).toMatchObject({ status: "queued", queuePosition: 1 });
    await free(held);
    expect((await finished(second.id)).status).toBe("done");
  });

  it("twenty visitors who start a run at once all get their results", async () => {
    const held = await occupy();
    const visitors = Array.from({ length: 20 }, (_, i) => small(i + 1));
    const answers = await Promise.all(visitors.map(accepted));
    expect(answers.map((a) => a.status)).toEqual(visitors.map(() => "queued"));
    expect(answers.map((a) => a.queuePosition).sort((x, y) => x! - y!)).toEqual(visitors.map((_, i) => i + 1));
    await free(held);
    const ended = await Promise.all(answers.map((a) => finished(a.id, 60_000)));
    for (const [i, s] of ended.entries()) {
      expect(s.status).toBe("done");
      const { result } = await runExperiment("lrpc", preset("amd-2x2")!, visitors[i].params, inProcessSimulator(), "inproc");
      expect(s.result!.rows).toEqual(result.rows);
    }
    expect(await registry().active()).toEqual([]);
  });
});
