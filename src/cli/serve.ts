// `npm start`: the Worker in workerd through Miniflare (dev-server.ts),
// restarted if it dies, behind a small front that keeps every answer the
// API's JSON.
//
// Not `wrangler dev`: wrangler 4.116, the last release on Miniflare 4, exits
// whenever its ProxyWorker fails to forward a request to the Worker (a client
// that hangs up mid-body; an idle keep-alive connection closed by workerd as
// the ProxyWorker reuses it, which long durable runs make likely), since the
// dev command treats any error as fatal (README, "The two commands"). The
// releases that fix it run on Miniflare 5, whose DO-to-DO calls are some
// thirty times slower (README, "Benchmarks"). Miniflare alone has no
// ProxyWorker; this supervisor still restarts it when it dies after it was
// serving, and says why.
//
// The front (Node's HTTP server) answers on the port the user asked for and
// hands each request to the Worker server on a private port, on a connection
// of its own: a pooled idle connection could be closed by workerd just as a
// request is sent on it, and that request would be lost. workerd's own HTTP server
// answers an unknown method (501) and an oversized request line (431) in
// plain text before the Worker sees the request, and Miniflare answers a
// request whose Worker died (a crash, an isolate reset) with a plain-text 500
// that carries a stack with local paths: the front answers these in the API's
// JSON error shape instead, naming the field. It reads a request's body
// whole (at most MAX_BODY_BYTES) before passing it on, so a client that hangs
// up mid-body never reaches the Worker server; while it restarts, a request it
// never saw, or a read, waits for it (then 503 with Retry-After after half a
// minute), and a request the Worker server leaves unanswered for a minute gets 504.
// And it asks the Worker server every few seconds whether it answers (workerd
// can die or hang under it): after half a minute without an answer the
// supervisor restarts it.
import "./require-node.ts";
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { createServer, request as forward, type IncomingMessage, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { resolve } from "node:path";
import { errorBody, MAX_BODY_BYTES } from "../core-object/protocol.ts";
import { freePort, PROBE_PATH } from "./local-server.ts";
import { parseServeFlags, SERVE_USAGE } from "./serve-flags.ts";

const DEV_SERVER = resolve(import.meta.dirname, "dev-server.ts");
const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/** The methods passed on (the API's, and the standard ones it answers 405 to); others are not implemented here. */
const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]);
/** A request line and headers longer than this are refused (Node's default). */
const MAX_HEADER_BYTES = 16 * 1024;
/** When to try again while the Worker server restarts. */
const RETRY_AFTER_SECONDS = 2;
/** A request the Worker server has not begun to answer in this long is answered 504 (the API's longest wait is 30 s). */
const ANSWER_MS = 60_000;
/** How long a request waits for the Worker server to come back before it is answered 503. */
const RESTART_WAIT_MS = 30_000;
/** Requests that may go to the Worker server again when it died under them: they change nothing. */
const READS = new Set(["GET", "HEAD", "OPTIONS"]);
/** How often the front asks the Worker server whether it answers, how long it waits, and how many unanswered questions in a row mean it hangs. */
const PROBE = { everyMs: 5_000, timeoutMs: 10_000, unanswered: 3 };

const log = (line: string): void => void process.stderr.write(`[serve] ${line}\n`);

// --- The supervisor.

let child: ChildProcess | undefined;
let stopping = false;
let restarts = 0;
/** Whether the Worker server answers now. */
let serving = false;
/** The probe killed the Worker server: that is why it exited. */
let hung = false;

// The last error the Worker server printed: the reason it exited.
function lastError(text: string): string | undefined {
  const plain = text.replace(/\x1b\[[0-9;]*m/g, "");
  return [...plain.matchAll(/\[ERROR\] *(\S.*)/g)].at(-1)?.[1].trim();
}

/** Every process below `pid` (the Worker server's workerd among them), deepest first. */
function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const line of execFileSync("ps", ["-eo", "pid=,ppid="], { encoding: "utf8" }).split("\n")) {
    const [p, pp] = line.trim().split(/\s+/).map(Number);
    if (p) children.set(pp, [...(children.get(pp) ?? []), p]);
  }
  const below = (p: number): number[] => (children.get(p) ?? []).flatMap((c) => [...below(c), c]);
  return below(pid);
}

/** Ask the Worker server, every few seconds, whether it answers; kill it (and its workerd) when it has stopped answering, for the exit handler to restart it. */
function probeServer(upstream: number): void {
  let unanswered = 0;
  let asking = false;
  setInterval(async () => {
    if (!serving || asking) return;
    asking = true;
    const ok = await new Promise<boolean>((done) => {
      // HEAD: a method the Worker server's log can leave out (dev-server.ts), not to bury the requests of people.
      const ask = forward({ host: "127.0.0.1", port: upstream, method: "HEAD", path: PROBE_PATH, headers: { connection: "close" }, agent: false, timeout: PROBE.timeoutMs }, (r) => {
        r.resume();
        done(r.statusCode === 200);
      });
      ask.on("timeout", () => ask.destroy());
      ask.on("error", () => done(false));
      ask.end();
    });
    asking = false;
    unanswered = ok ? 0 : unanswered + 1;
    if (unanswered < PROBE.unanswered || !child?.pid) return;
    unanswered = 0;
    log(`the Worker server has not answered for ${(PROBE.unanswered * (PROBE.everyMs + PROBE.timeoutMs)) / 1000} s; killing it to restart it`);
    hung = true;
    for (const pid of [...descendants(child.pid), child.pid]) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // gone already
      }
    }
  }, PROBE.everyMs).unref();
}

function startServer(args: string[]): void {
  let ready = false;
  let tail = ""; // the end of its stderr, where it says why it exits
  // process.execArgv: tsx's loader, which runs this file too.
  const proc = spawn(process.execPath, [...process.execArgv, DEV_SERVER, ...args], { stdio: ["inherit", "inherit", "pipe", "ipc"] });
  child = proc;
  // dev-server.ts tells its parent through IPC, as wrangler does, once the server answers.
  proc.on("message", (msg) => {
    if (typeof msg === "string" && msg.includes('"DEV_SERVER_READY"')) ready = serving = true;
  });
  proc.stderr!.on("data", (chunk: Buffer) => {
    process.stderr.write(chunk);
    tail = (tail + chunk.toString()).slice(-4096);
  });
  proc.on("exit", (code, signal) => {
    serving = false;
    // Stopped by the user (Ctrl-C), or never started (bad flag): exit as the Worker server did.
    if (stopping || !ready || code === 0) process.exit(code ?? 1);
    restarts++;
    const why = hung ? "it had stopped answering" : lastError(tail);
    hung = false;
    log(`the Worker server exited with ${signal ?? `code ${code}`}${why ? ` (${why})` : ""}; restarting it (restart ${restarts})`);
    startServer(args);
  });
}

// --- The front.

function answer(res: ServerResponse, status: number, field: string | null, reason: string, headers: Record<string, string> = {}): void {
  if (res.writableEnded) return;
  if (res.headersSent) return void res.destroy();
  const body = JSON.stringify(errorBody([{ field, reason }]));
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body), ...headers });
  res.end(body);
}

/** A request Node's parser refused: in JSON, naming what is wrong with it. */
function clientError(err: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket: Socket): void {
  if (err.code === "ECONNRESET" || !socket.writable) return void socket.destroy();
  // The request line, as far as it came: a long one puts the path at fault, else the headers are.
  const line = (err.rawPacket?.toString("latin1") ?? "").split("\r\n")[0];
  const [status, field, reason] =
    err.code === "HPE_HEADER_OVERFLOW"
      ? [431, line.length > MAX_HEADER_BYTES / 2 ? "path" : "headers", `the request line and headers are larger than ${MAX_HEADER_BYTES / 1024} KiB`]
      : err.code === "HPE_INVALID_METHOD"
        ? [501, "method", `not a method this server implements; use ${[...METHODS].join(", ")}`]
        : [400, null, `not a well-formed HTTP request (${err.code ?? err.message})`];
  const body = JSON.stringify(errorBody([{ field, reason }]));
  socket.end(`HTTP/1.1 ${status} ${status === 431 ? "Request Header Fields Too Large" : status === 501 ? "Not Implemented" : "Bad Request"}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
}

/** The whole body, or null once the client has gone or answered for (too large). */
async function readBody(req: IncomingMessage, res: ServerResponse): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        answer(res, 413, "body", `larger than ${MAX_BODY_BYTES / 1024} KiB`, { connection: "close" });
        return null;
      }
      chunks.push(chunk);
    }
  } catch {
    // The client hung up in the middle of its body: nothing reaches the Worker server.
    log(`a client hung up in the middle of its request body (${req.method} ${req.url?.slice(0, 80)}); it was not passed on`);
    return null;
  }
  if (req.readableAborted) return null;
  return Buffer.concat(chunks);
}

/** How one pass of a request to the Worker server went: answered (or timed out), not reached at all, reached but not sure, or met a crashed Worker. */
type Pass = "answered" | "refused" | "lost" | "crashed";

/** Pass a request to the Worker server once; the client's answer is written only when the Worker server gave one worth passing on. */
function pass(req: IncomingMessage, res: ServerResponse, body: Buffer, upstream: number): Promise<Pass> {
  return new Promise((done) => {
    const headers = { ...req.headers, "content-length": String(body.length) };
    delete headers["transfer-encoding"];
    headers.connection = "close";
    const out = forward({ host: "127.0.0.1", port: upstream, method: req.method, path: req.url, headers, timeout: ANSWER_MS, agent: false }, (up) => {
      out.setTimeout(0);
      const status = up.statusCode ?? 502;
      // workerd's and Miniflare's own errors are plain text (a crash's carries local paths): the API answers in JSON.
      if (status >= 400 && !/^application\/json\b/.test(up.headers["content-type"] ?? "")) {
        up.resume();
        if (status >= 500) return done("crashed");
        answer(res, status, null, (up.statusMessage ?? "bad request").toLowerCase());
        return done("answered");
      }
      res.writeHead(status, up.statusMessage, up.headers);
      up.pipe(res);
      res.on("close", () => up.destroy());
      done("answered");
    });
    out.on("timeout", () => {
      answer(res, 504, null, `the Worker did not answer in ${ANSWER_MS / 1000} s`);
      out.destroy();
      done("answered");
    });
    out.on("error", (e: NodeJS.ErrnoException) => done(e.code === "ECONNREFUSED" ? "refused" : "lost"));
    res.on("close", () => {
      if (!res.writableFinished) out.destroy();
    });
    out.end(body);
  });
}

function front(upstream: number) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = req.method ?? "";
    if (!METHODS.has(method)) return answer(res, 501, "method", `${method} is not a method this server implements; use ${[...METHODS].join(", ")}`);
    const body = await readBody(req, res);
    if (!body) return;
    // While the Worker server restarts, a request it never saw, or a read, waits for it and goes again.
    const deadline = Date.now() + RESTART_WAIT_MS;
    for (;;) {
      while (!serving && Date.now() < deadline && !res.destroyed) await new Promise((r) => setTimeout(r, 250));
      if (res.destroyed) return;
      const how = serving ? await pass(req, res, body, upstream) : "refused";
      if (how === "answered") return;
      const again = how === "refused" || READS.has(method);
      if (!again || Date.now() >= deadline) {
        if (how === "crashed") return answer(res, 500, null, "internal error: the Worker died while it answered; it is being restarted");
        return answer(res, 503, null, "the local server is restarting; try again", { "retry-after": String(RETRY_AFTER_SECONDS) });
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  };
}

async function main(): Promise<void> {
  const flags = parseServeFlags(process.argv.slice(2), { ip: "localhost" });
  if (flags === "help") {
    process.stdout.write(`${SERVE_USAGE}\n`);
    process.exit(0);
  }
  if ("error" in flags) {
    log(flags.error);
    process.exit(2);
  }
  const { port, ip, state, vars } = flags;
  const upstream = await freePort();
  const server = createServer({ maxHeaderSize: MAX_HEADER_BYTES }, front(upstream));
  server.on("clientError", clientError);
  server.on("connect", (_req, socket: Socket) => clientError(Object.assign(new Error("CONNECT"), { code: "HPE_INVALID_METHOD" }), socket));
  server.on("error", (e) => {
    log(`cannot listen on ${ip}:${port}: ${(e as Error).message}`);
    process.exit(1);
  });
  // The Worker server starts once the front has its port: a port taken ends here, before Miniflare says it is ready.
  server.listen(port, ip, () => {
    log(`serving on http://${ip}:${port} (the Worker server, Miniflare, answers the front on 127.0.0.1:${upstream})`);
    startServer(["--port", String(upstream), "--ip", "127.0.0.1", "--persist-to", state, ...Object.entries(vars).flatMap(([k, v]) => ["--var", `${k}:${v}`])]);
    probeServer(upstream);
  });
  for (const sig of SIGNALS) {
    process.on(sig, () => {
      stopping = true;
      server.close();
      if (!child || child.exitCode !== null) process.exit(0);
      child.kill(sig);
    });
  }
}

void main();
