// `npm start` end to end: the local server a user runs, on a free port, with
// its own state directory. Slow (wrangler starts), but deterministic: it
// waits for events, never for a fixed time.
import { execFileSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { once } from "node:events";
import { connect, createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { answers, freePort, npmStart, stop, STEP_MS, until, type LocalServer } from "../../src/cli/local-server.ts";

/** Sends `text` as it is and reads the whole answer: status, headers, body. */
function raw(port: number, text: string): Promise<{ status: number; headers: string; body: string }> {
  return new Promise((done, fail) => {
    let got = "";
    const socket = connect(port, "127.0.0.1", () => socket.end(text));
    socket.on("data", (d) => (got += d.toString("latin1")));
    socket.on("close", () => {
      const [head, ...rest] = got.split("\r\n\r\n");
      done({ status: Number(head.split(" ")[1]), headers: head.toLowerCase(), body: rest.join("\r\n\r\n") });
    });
    socket.on("error", fail);
  });
}

/** Sends the headers and 10 of the 100 bytes its Content-Length announces, then hangs up. */
function shortUpload(port: number): Promise<void> {
  return new Promise((done, fail) => {
    const socket = connect(port, "127.0.0.1", () => {
      socket.write(
        "POST /api/machines/validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n" +
          'Content-Length: 100\r\n\r\n{"name":"x',
      );
      setTimeout(() => socket.destroy(), 1000);
    });
    socket.on("close", () => done());
    socket.on("error", fail);
  });
}

/** An answer's JSON, which must name no local file. */
function json(a: { headers: string; body: string }): { error?: { field: string | null; reason: string } } {
  expect(a.headers).toMatch(/content-type: application\/json/);
  expect(a.body).not.toMatch(/file:|node_modules|\.ts:\d/);
  return JSON.parse(a.body);
}

const jsonError = (a: { headers: string; body: string }) => json(a).error!;

/** The workerd processes of the server's group. */
const workerd = (server: LocalServer): number[] =>
  execFileSync("ps", ["-o", "pid=,comm=", "-g", String(server.proc.pid)], { encoding: "utf8" })
    .split("\n")
    .filter((l) => /workerd/.test(l))
    .map((l) => Number(l.trim().split(/\s+/)[0]));

it("npm start answers every error in JSON, and keeps serving through a short upload and a crash of workerd", { timeout: 6 * STEP_MS }, async () => {
  const port = await freePort();
  const state = await mkdtemp(join(tmpdir(), "edgefish-serve-"));
  const server = npmStart(port, state);
  try {
    await until(server, "answer to GET /api/machines", () => answers(port));

    // Below the Worker, workerd would answer these in plain text.
    const method = await raw(port, "FOO /api/machines HTTP/1.1\r\nHost: localhost\r\n\r\n");
    expect(method.status).toBe(501);
    expect(jsonError(method).field).toBe("method");
    const path = await raw(port, `GET /${"a".repeat(20_000)} HTTP/1.1\r\nHost: localhost\r\n\r\n`);
    expect(path.status).toBe(431);
    expect(jsonError(path).field).toBe("path");
    const big = await raw(port, `POST /api/machines/validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 300000\r\n\r\n${"x".repeat(300_000)}`);
    expect(big.status).toBe(413);
    expect(jsonError(big).field).toBe("body");

    // A client that hangs up mid-body reaches no further than the front.
    await shortUpload(port);
    await until(server, "report of the failed request", () => /\[serve\] a client hung up in the middle of its request body/.test(server.output()));
    expect(await answers(port)).toBe(true);
    expect(server.output()).not.toMatch(/\[serve\] the Worker server exited/);

    // workerd dies under a run: every answer until the server is back is JSON, and the run is still there.
    const started = await fetch(`http://127.0.0.1:${port}/api/runs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ experiment: "shootdown", engine: "inproc", params: { reps: 20 } }),
    });
    const { id } = (await started.json()) as { id: string };
    const pids = workerd(server);
    expect(pids.length).toBeGreaterThan(0);
    for (const pid of pids) process.kill(pid, "SIGKILL");
    const seen = new Set<number>();
    await until(server, "the run's status after workerd died", async () => {
      const res = await fetch(`http://127.0.0.1:${port}/api/runs/${id}`, { signal: AbortSignal.timeout(90_000) });
      seen.add(res.status);
      json({ headers: `content-type: ${res.headers.get("content-type")}`, body: await res.text() });
      return res.status === 200;
    });
    // While workerd was down the front answered for it (503, 504), or turned Miniflare's plain-text 500 into JSON.
    expect([...seen].every((s) => [200, 500, 503, 504].includes(s))).toBe(true);
    expect(server.exited()).toBe(false);
  } finally {
    await stop(server);
    await rm(state, { recursive: true, force: true });
  }
});

it("npm start on a port already taken says so and exits, before the Worker server starts", { timeout: STEP_MS }, async () => {
  const taken = createServer().listen(0, "127.0.0.1");
  await once(taken, "listening");
  const port = (taken.address() as AddressInfo).port;
  const state = await mkdtemp(join(tmpdir(), "edgefish-serve-"));
  const server = npmStart(port, state, ["--ip", "127.0.0.1"]);
  try {
    const [code] = (await once(server.proc, "exit")) as [number | null];
    expect(code).toBe(1);
    expect(server.output()).toMatch(/\[serve\] cannot listen on 127\.0\.0\.1:\d+: listen EADDRINUSE/);
    expect(server.output()).not.toMatch(/Ready on/);
  } finally {
    await stop(server);
    taken.close();
    await rm(state, { recursive: true, force: true });
  }
});
