// `npm start`: `wrangler dev` with the flags given, restarted if it dies.
//
// Wrangler 4.116, the last release on Miniflare 4, exits when one client hangs
// up in the middle of a request body: its ProxyWorker reports the failed
// forward to the user Worker as an error, and the dev command treats any error
// as fatal (README, "The two commands"). The releases that fix it run on
// Miniflare 5, whose DO-to-DO calls are some thirty times slower (README,
// "Benchmarks"). So this supervisor keeps the local server up: it restarts
// wrangler when it dies after it was serving, and says why.
import "./require-node.ts";
import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { resolve } from "node:path";

// The CLI script is not in wrangler's package exports; it sits beside its main module.
const WRANGLER = resolve(createRequire(import.meta.url).resolve("wrangler"), "../../bin/wrangler.js");
const ARGS = process.argv.slice(2);
const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

let child: ChildProcess | undefined;
let stopping = false;
let restarts = 0;

const log = (line: string): void => void process.stderr.write(`[serve] ${line}\n`);

// The last error wrangler printed: the reason it exited.
function lastError(text: string): string | undefined {
  const plain = text.replace(/\x1b\[[0-9;]*m/g, "");
  return [...plain.matchAll(/\[ERROR\] *(\S.*)/g)].at(-1)?.[1].trim();
}

function start(): void {
  let ready = false;
  let tail = ""; // the end of wrangler's stderr, where it says why it exits
  const proc = spawn(process.execPath, [WRANGLER, "dev", ...ARGS], { stdio: ["inherit", "inherit", "pipe", "ipc"] });
  child = proc;
  // wrangler tells its parent through IPC once the server answers.
  proc.on("message", (msg) => {
    if (typeof msg === "string" && msg.includes('"DEV_SERVER_READY"')) ready = true;
  });
  proc.stderr!.on("data", (chunk: Buffer) => {
    process.stderr.write(chunk);
    tail = (tail + chunk.toString()).slice(-4096);
  });
  proc.on("exit", (code, signal) => {
    // Stopped by the user (Ctrl-C, `x`), or never started (bad flag, port taken): exit as wrangler did.
    if (stopping || !ready || code === 0) process.exit(code ?? 1);
    restarts++;
    const why = lastError(tail);
    log(`wrangler dev exited with ${signal ?? `code ${code}`}${why ? ` (${why})` : ""}; restarting it (restart ${restarts})`);
    start();
  });
}

for (const sig of SIGNALS) {
  process.on(sig, () => {
    stopping = true;
    child?.kill(sig);
  });
}
start();
