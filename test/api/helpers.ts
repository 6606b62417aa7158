// Shared by the API's tests: requests to the Worker's own fetch handler, and
// following a run to its end.
import { exports } from "cloudflare:workers";
import { expect } from "vitest";
import type { RunStatus } from "../../src/core-object/protocol.ts";

export const request = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> =>
  exports.default.fetch(`http://edgefish${path}`, {
    method,
    headers: body === undefined ? headers : { "content-type": "application/json", ...headers },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });

export async function json<T = any>(res: Response, status: number): Promise<T> {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  return JSON.parse(text) as T;
}

/** The error a request gets: its status, and the field it names. */
export async function expectError(res: Response, status: number, field: string | null, reason?: RegExp) {
  const body = await json<{ error: { field: string | null; reason: string; issues: { field: string | null; reason: string }[]; [detail: string]: unknown } }>(res, status);
  expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  expect(body.error.field).toBe(field);
  expect(body.error.issues.length).toBeGreaterThan(0);
  if (reason) expect(body.error.reason).toMatch(reason);
  return body.error;
}

/** The answer to starting a run. */
export interface Accepted {
  id: string;
  status: string;
  queuePosition: number | null;
  location: string;
}

/** Start a run, queued or not; the answer. */
export async function accepted(body: unknown): Promise<Accepted> {
  const res = await request("POST", "/api/runs", body);
  const a = await json<Accepted>(res, 202);
  expect(res.headers.get("location")).toBe(`/api/runs/${a.id}`);
  expect(a.location).toBe(`/api/runs/${a.id}`);
  return a;
}

/** Start a run with a place free; its id. */
export async function start(body: unknown): Promise<string> {
  const a = await accepted(body);
  expect(a).toEqual({ id: a.id, status: "running", queuePosition: null, location: `/api/runs/${a.id}` });
  return a.id;
}

/** Poll a run until it ends. */
export async function finished(id: string, timeoutMs = 30_000): Promise<RunStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await json<RunStatus>(await request("GET", `/api/runs/${id}`), 200);
    if (s.status !== "running" && s.status !== "queued") return s;
    expect(Date.now()).toBeLessThan(deadline);
    await new Promise((r) => setTimeout(r, 20));
  }
}
