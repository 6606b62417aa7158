// A core at a moment of a finished traced simulation (GET
// /api/runs/{id}/cores/{core}?at=): the simulation replayed in-process up to
// that cycle. The same state whichever engine ran it, and the events it has
// handled are those the trace records starting before the moment.
import { describe, expect, it } from "vitest";
import { expectError, finished, json, request, start } from "./helpers.ts";

const SHOOTDOWN = { experiment: "shootdown", machine: "amd-8x4", cores: [4], params: { protocols: ["numa-multicast"], reps: 1 }, trace: true };

type ChromeEvent = { ph: string; tid: number; args?: { start?: number; end?: number; seq?: number } };

/** Core `core`'s handlers in a Chrome trace (its CPU's and its memory system's), as [start, end]. */
const handlers = (events: ChromeEvent[], core: number) =>
  events.filter((e) => e.ph === "X" && e.args?.seq !== undefined && (e.tid === core || e.tid === 100_000 + core)).map((e) => [e.args!.start!, e.args!.end!] as const);

describe("GET /api/runs/{id}/cores/{core}?at=", () => {
  it("replays a core to a moment: the same on both engines, and what the trace says it had handled", async () => {
    const ids = { inproc: await start({ ...SHOOTDOWN, engine: "inproc" }), durable: await start({ ...SHOOTDOWN, engine: "durable" }) };
    for (const id of Object.values(ids)) expect((await finished(id)).status).toBe("done");
    const trace = await json<{ traceEvents: ChromeEvent[] }>(await request("GET", `/api/runs/${ids.durable}/trace`), 200);
    const mine = handlers(trace.traceEvents, 1);
    expect(mine.length).toBeGreaterThan(2);
    const end = Math.max(...mine.map(([, e]) => e));
    for (const at of [0, mine[1][0], mine[1][0] + 1, Math.round(end / 2), end + 1]) {
      const [a, b] = await Promise.all(Object.values(ids).map(async (id) => json(await request("GET", `/api/runs/${id}/cores/1?simulation=0&at=${at}`), 200)));
      expect(a).toMatchObject({ simulation: 0, core: 1, at, window: null });
      expect({ ...a, id: null }).toEqual({ ...b, id: null });
      const before = mine.filter(([s]) => s < at);
      expect(a.events, `events before ${at}`).toBe(before.length);
      expect(a).toHaveProperty("kernel.channels");
    }
    // At the end it is the core as it stands.
    const last = await json(await request("GET", `/api/runs/${ids.durable}/cores/1?simulation=0&at=${end + 1}`), 200);
    const live = await json(await request("GET", `/api/runs/${ids.durable}/cores/1?simulation=0`), 200);
    expect({ ...last, at: null, window: null }).toEqual({ ...live, window: null });
  });

  it("answers errors naming the field", async () => {
    const untraced = await start({ ...SHOOTDOWN, trace: false, engine: "inproc" });
    await finished(untraced);
    await expectError(await request("GET", `/api/runs/${untraced}/cores/0?at=10`), 409, "trace", /trace: true/);
    const traced = await start({ ...SHOOTDOWN, engine: "inproc" });
    await finished(traced);
    await expectError(await request("GET", `/api/runs/${traced}/cores/4?at=10`), 400, "core", /0\.\.3/);
    await expectError(await request("GET", `/api/runs/${traced}/cores/0?at=10&simulation=1`), 400, "simulation", /0\.\.0/);
    await expectError(await request("GET", `/api/runs/${traced}/cores/0?at=-1`), 400, "at");
    await expectError(await request("GET", `/api/runs/${traced}/cores/0?at=1e3`), 400, "at");
    await expectError(await request("GET", `/api/runs/0123456789abcdef0123456789abcdef/cores/0?at=1`), 404, "id");
  });
});
