// Following a durable run: server-sent progress, its cores, its trace, and
// cancelling it.
import { describe, expect, it } from "vitest";
import { expectError, finished, json, request, start } from "./helpers.ts";

/** The events of a stream, as [event, data] pairs. */
function events(text: string): [string, any][] {
  return text
    .split("\n\n")
    .filter((block) => block.trim())
    .map((block) => {
      const field = (name: string) => block.split("\n").find((l) => l.startsWith(`${name}:`))?.slice(name.length + 1).trim() ?? "";
      return [field("event"), JSON.parse(field("data"))];
    });
}

describe("a durable run as it goes", () => {
  it("streams progress, then done with the result", async () => {
    const id = await start({ experiment: "shootdown", machine: "amd-2x2", cores: 2, params: { protocols: ["broadcast"], reps: 1 } });
    const res = await request("GET", `/api/runs/${id}/events`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const list = events(await res.text());
    const [last, status] = list[list.length - 1];
    expect(last).toBe("done");
    expect(status).toMatchObject({ id, status: "done", result: { experiment: "shootdown" } });
    expect(list.slice(0, -1).every(([e, s]) => e === "progress" && s.status === "running")).toBe(true);
    // A stream of a finished run says done at once.
    expect(events(await (await request("GET", `/api/runs/${id}/events`)).text()).map(([e]) => e)).toEqual(["done"]);
  });

  it("keeps each run's trace when asked", async () => {
    const id = await start({ experiment: "shootdown", machine: "amd-2x2", cores: 2, params: { protocols: ["unicast"], reps: 1 }, trace: true });
    const s = await finished(id);
    const trace = await json(await request("GET", `/api/runs/${id}/trace?simulation=0`), 200);
    // Every event handled, on its core's CPU thread or, the memory system's, beside it; the transactions too.
    const handlers = trace.traceEvents.filter((e: { ph: string; cat: string }) => e.ph === "X" && e.cat !== "memory") as unknown[];
    const memory = trace.traceEvents.filter((e: { ph: string; cat: string; name: string }) => e.ph === "X" && e.cat === "memory" && e.name.startsWith("mem-"));
    expect(handlers.length + memory.length).toBe(s.progress.events);
    await expectError(await request("GET", `/api/runs/${id}/trace?simulation=1`), 400, "simulation");
  });

  it("cancels a run, which then stays cancelled", async () => {
    const id = await start({ experiment: "twopc", machine: "amd-4x4", cores: [4, 8, 12, 16], params: { reps: 2 } });
    const cancelled = await json(await request("DELETE", `/api/runs/${id}`), 200);
    expect(cancelled).toMatchObject({ id, status: "cancelled", result: null });
    expect(cancelled.simulations.some((r: { state: string }) => r.state === "cancelled")).toBe(true);
    await new Promise((r) => setTimeout(r, 100));
    const after = await finished(id);
    expect(after.status).toBe("cancelled");
    expect(after.progress).toEqual(cancelled.progress);
    // Cancelling again changes nothing.
    expect(await json(await request("DELETE", `/api/runs/${id}`), 200)).toMatchObject({ status: "cancelled" });
  });
});
