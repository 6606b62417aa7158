// `npm run reliability`: a bounded soak of the local server (README, "Reliability"). It starts
// `npm start` on a free port with its own state directory and, for a few
// minutes, sends it what a hostile or unlucky public gets: fuzzed bodies
// (fast-check), hostile SKB queries, runs started all at once (past the
// queue), runs with injected faults, polling of a long in-process run, and a
// kill -9 of the whole server in the middle of runs, then a restart. Every
// run's result and hashes are checked against the in-process engine here.
// It prints a report: requests, faults, runs, 5xx, hangs, lost or differing
// results (the targets are 0), and the README quotes it.
//
//   npm run reliability                  # about five minutes
//   npm run reliability -- --minutes 1   # the fuzzing phase shorter
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import fc from "fast-check";
import { answers, freePort, kill9, npmStart, stop, until, type LocalServer } from "../src/cli/local-server.ts";
import { EXPERIMENTS, inProcessSimulator, runExperiment } from "../src/experiments/index.ts";
import { preset, PRESET_NAMES } from "../src/hwmodel/index.ts";
import type { RunStatus } from "../src/core-object/protocol.ts";

/** A request not answered in this long is a hang. */
const HANG_MS = 60_000;
/** A run not ended in this long is lost. */
const RUN_MS = 300_000;

/** The soak's flags; a bad one ends it before it starts, naming the flag (exit 2). */
function flags(): { minutes: number; seed: number } {
  const usage = (reason: string): never => {
    console.error(`${reason}; npm run reliability takes --minutes <0.1..60> and --seed <integer>`);
    process.exit(2);
  };
  let values: Record<string, string | undefined> = {};
  try {
    values = parseArgs({ options: { minutes: { type: "string" }, seed: { type: "string" } } }).values;
  } catch (e) {
    usage((e as Error).message);
  }
  const number = (name: string, fallback: number, min: number, max: number, integer: boolean): number => {
    const text = values[name];
    if (text === undefined) return fallback;
    const v = Number(text);
    if (!Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) usage(`--${name}: must be ${integer ? "an integer" : "a number"} from ${min} to ${max}, got "${text}"`);
    return v;
  };
  return { minutes: number("minutes", 3, 0.1, 60, false), seed: number("seed", 2026, 0, 2 ** 31 - 1, true) };
}
const { minutes, seed } = flags();

interface Tally {
  requests: number;
  status5xx: number;
  notJson: number;
  leaks: number;
  hangs: number;
  maxMs: number;
}

const tally = (): Tally => ({ requests: 0, status5xx: 0, notJson: 0, leaks: 0, hangs: 0, maxMs: 0 });
const tallies: Record<string, Tally> = {};
const problems: string[] = [];
const runs = { started: 0, queued: 0, done: 0, lost: 0, differing: 0, faultsInjected: 0 };

let base = "";

/** One request, counted under `what`: its status and JSON (null if it hung or was not JSON). */
async function send(what: string, method: string, path: string, body?: string, contentType = "application/json"): Promise<{ status: number; json: any } | null> {
  const t = (tallies[what] ??= tally());
  t.requests++;
  const t0 = performance.now();
  try {
    const res = await fetch(base + path, {
      method,
      headers: body === undefined ? {} : { "content-type": contentType },
      body,
      signal: AbortSignal.timeout(HANG_MS),
    });
    const text = await res.text();
    t.maxMs = Math.max(t.maxMs, performance.now() - t0);
    if (res.status >= 500) {
      t.status5xx++;
      problems.push(`${what}: ${method} ${path.slice(0, 60)} -> ${res.status} ${text.slice(0, 200)}`);
    }
    if (/file:|node_modules|\.ts:\d/.test(text)) {
      t.leaks++;
      problems.push(`${what}: ${method} ${path.slice(0, 60)} leaks a path: ${text.slice(0, 200)}`);
    }
    const isJson = /^application\/json/.test(res.headers.get("content-type") ?? "");
    if (!isJson && res.status >= 400) {
      t.notJson++;
      problems.push(`${what}: ${method} ${path.slice(0, 60)} -> ${res.status} not JSON: ${text.slice(0, 120)}`);
    }
    return { status: res.status, json: isJson ? JSON.parse(text) : null };
  } catch (e) {
    t.maxMs = Math.max(t.maxMs, performance.now() - t0);
    t.hangs++;
    problems.push(`${what}: ${method} ${path.slice(0, 60)}: ${(e as Error).name === "TimeoutError" ? `no answer in ${HANG_MS / 1000} s` : (e as Error).message}`);
    return null;
  }
}

// --- Fuzzed bodies: fast-check's arbitrary JSON, and valid requests with fields mutated.

const ENDPOINTS = ["/api/runs", "/api/machines/validate", "/api/skb/query"];
const smallJson = fc.jsonValue({ maxDepth: 4 });
const runBody = fc.record(
  {
    experiment: fc.oneof(fc.constantFrom(...EXPERIMENTS.names), fc.string()),
    machine: fc.oneof(fc.constantFrom(...PRESET_NAMES, "constructor", "__proto__"), fc.string()),
    cores: fc.oneof(fc.integer({ min: -5, max: 5000 }), fc.array(fc.integer({ min: -1, max: 70 }), { maxLength: 80 }), smallJson),
    params: fc.oneof(
      fc.record({ protocols: fc.array(fc.constantFrom("unicast", "broadcast", "multicast", "numa-multicast", "x"), { maxLength: 1200 }), reps: fc.integer({ min: -1, max: 2000 }) }, { requiredKeys: [] }),
      fc.record({ kernels: fc.array(fc.string(), { maxLength: 20 }), pollBudget: fc.double() }, { requiredKeys: [] }),
      smallJson,
    ),
    engine: fc.oneof(fc.constantFrom("inproc", "durable"), smallJson),
    trace: fc.oneof(fc.boolean(), smallJson),
    faults: fc.oneof(fc.record({ restart: fc.record({ rate: fc.double() }), seed: fc.integer() }, { requiredKeys: [] }), smallJson),
  },
  { requiredKeys: [] },
);
const machineBody = fc.record(
  {
    name: fc.oneof(fc.string({ maxLength: 80 }), fc.constantFrom("constructor", "toString", "hasOwnProperty")),
    clockGHz: fc.oneof(fc.double(), fc.constantFrom(1e-300, 1e308, 2)),
    packages: fc.oneof(fc.constant([{ id: 0, dies: [{ id: 0, cores: [0, 1] }] }]), smallJson),
    sharedCaches: fc.oneof(fc.constant([{ level: 2, cores: [0, 0] }]), smallJson),
    interconnect: fc.oneof(fc.constant({ type: "fsb" }), smallJson),
    costs: fc.oneof(fc.record({ dispatcherSwitch: fc.double(), lineShared: fc.constantFrom(1e17, 1e300, 100) }, { requiredKeys: [] }), smallJson),
    latencyMatrix: fc.oneof(fc.constant({ unit: "ns", values: [[0, 1e308], [1e308, 0]] }), fc.constant({ unit: "cycles", values: [[5, 1], [1, 5]] }), smallJson),
  },
  { requiredKeys: [] },
);
const anyRequest = fc.oneof(
  fc.record({ path: fc.constant("/api/runs"), body: runBody.map((b) => JSON.stringify(b)) }),
  fc.record({ path: fc.constant("/api/machines/validate"), body: machineBody.map((b) => JSON.stringify(b)) }),
  fc.record({ path: fc.constant("/api/skb/query"), body: fc.record({ machineDescription: machineBody, query: fc.constantFrom("core(C)", "true") }, { requiredKeys: [] }).map((b) => JSON.stringify(b)) }),
  fc.record({ path: fc.constantFrom(...ENDPOINTS), body: fc.oneof(smallJson.map((j) => JSON.stringify(j)), fc.string({ maxLength: 300 })) }),
);
const anyGet = fc.oneof(
  fc.constantFrom("/api/machines/constructor", "/api/machines/__proto__", "/api/machines/toString", "/api/runs/zz", "/api/skb/routes?machine=amd-8x4&kind=radix&fanout=0"),
  fc.string({ maxLength: 40 }).map((s) => `/api/machines/${encodeURIComponent(s)}`),
  fc.string({ maxLength: 40 }).map((s) => `/api/skb/routes?${encodeURIComponent(s)}`),
  fc.string({ maxLength: 40 }).map((s) => `/api/runs/${encodeURIComponent(s)}/cores/${encodeURIComponent(s)}`),
);

async function fuzz(until: number): Promise<void> {
  let round = 0;
  while (Date.now() < until) {
    const posts = fc.sample(anyRequest, { seed: seed + round, numRuns: 20 });
    const gets = fc.sample(anyGet, { seed: seed + round, numRuns: 10 });
    await Promise.all([
      ...posts.map((p) => send("fuzzed bodies", "POST", p.path, p.body).then((r) => r?.json?.id && cancel(r.json.id))),
      ...gets.map((path) => send("fuzzed bodies", "GET", path)),
    ]);
    round++;
  }
}

/** A fuzzed run that was accepted is cancelled: the soak checks answers, not its runs. */
const cancel = (id: string) => send("fuzzed bodies", "DELETE", `/api/runs/${id}`);

// --- Runs: started together, with and without faults, checked against the in-process engine.

interface TrackedRun {
  body: Record<string, unknown>;
  /** The in-process result: series, rows, hashes. */
  expected: Promise<{ rows: unknown[]; series: unknown[]; hashes: string[] }>;
  id?: string;
}

function track(body: Record<string, unknown>): TrackedRun {
  const e = EXPERIMENTS.byName(body.experiment as string)!;
  const machine = preset((body.machine as string) ?? e.defaultMachine)!;
  const params = { ...(body.params as object), ...(body.cores ? { cores: body.cores } : {}) };
  return { body, expected: runExperiment(e.name, machine, params, inProcessSimulator(), "inproc").then(({ result }) => result) };
}

async function startRun(j: TrackedRun): Promise<void> {
  const r = await send("runs", "POST", "/api/runs", JSON.stringify(j.body));
  if (r?.status !== 202) {
    problems.push(`runs: POST ${JSON.stringify(j.body)} -> ${r?.status} ${JSON.stringify(r?.json)?.slice(0, 200)}`);
    runs.lost++;
    return;
  }
  runs.started++;
  if (r.json.status === "queued") runs.queued++;
  j.id = r.json.id;
}

/** Poll each run to its end and compare it with the in-process result. */
async function check(tracked: TrackedRun[], what = "polling the runs"): Promise<void> {
  await Promise.all(
    tracked.map(async (j) => {
      if (!j.id) return;
      const deadline = Date.now() + RUN_MS;
      let s: RunStatus | null = null;
      while (Date.now() < deadline) {
        const r = await send(what, "GET", `/api/runs/${j.id}`);
        s = r?.status === 200 ? (r.json as RunStatus) : s;
        if (s && s.status !== "queued" && s.status !== "running") break;
        await new Promise((r) => setTimeout(r, 500));
      }
      const expected = await j.expected;
      if (!s || s.status !== "done") {
        runs.lost++;
        problems.push(`run ${j.id} (${JSON.stringify(j.body).slice(0, 120)}) ended ${s?.status ?? "never"}: ${s?.error ?? ""}`);
        return;
      }
      runs.done++;
      runs.faultsInjected += s.faults?.injected ?? 0;
      const same =
        JSON.stringify(s.result!.series) === JSON.stringify(expected.series) &&
        JSON.stringify(s.result!.rows) === JSON.stringify(expected.rows) &&
        JSON.stringify(s.simulations.map((x) => x.hash)) === JSON.stringify(expected.hashes);
      if (!same) {
        runs.differing++;
        problems.push(`run ${j.id} (${JSON.stringify(j.body).slice(0, 120)}) differs from the in-process result`);
      }
    }),
  );
}

const SMALL_RUNS: Record<string, unknown>[] = [
  { experiment: "lrpc", machine: "amd-2x2", params: { calls: 4 } },
  { experiment: "shootdown", machine: "amd-4x4", cores: [2, 4, 8], params: { protocols: ["unicast", "numa-multicast"], reps: 2 } },
  { experiment: "unmap", machine: "amd-4x4", cores: [2, 8], params: { kernels: ["barrelfish", "linux"], reps: 2 } },
  { experiment: "twopc", machine: "amd-4x4", cores: [4], params: { reps: 2 } },
  { experiment: "urpc", machine: "amd-2x2", params: { iterations: 4, stream: 64 } },
];

/** Twenty-odd runs at once, on both engines: more than MAX_CONCURRENT_RUNS, so some queue. */
function crowd(): TrackedRun[] {
  return Array.from({ length: 24 }, (_, i) => track({ ...SMALL_RUNS[i % SMALL_RUNS.length], engine: i % 3 === 0 ? "durable" : "inproc" }));
}

/** Durable runs with faults drawn by fast-check: evictions, restarts, failed and repeated deliveries. */
function faulted(n: number): TrackedRun[] {
  const faults = fc.sample(
    fc.record({
      seed: fc.integer({ min: 0, max: 1e6 }),
      evict: fc.record({ rate: fc.double({ min: 0.05, max: 0.5, noNaN: true }) }),
      restart: fc.record({ rate: fc.double({ min: 0.05, max: 0.3, noNaN: true }) }),
      failDeliveries: fc.double({ min: 0, max: 0.5, noNaN: true }),
      duplicateDeliveries: fc.double({ min: 0, max: 0.5, noNaN: true }),
    }),
    { seed, numRuns: n },
  );
  return faults.map((f, i) => track({ ...SMALL_RUNS[1 + (i % (SMALL_RUNS.length - 1))], engine: "durable", faults: f }));
}

// --- Hostile SKB queries (the issue's): just sent; bounding them is the SKB's own work.

const chain = (n: number) => Array.from({ length: n }, (_, i) => `X${i + 1} = f(X${i}, X${i})`).join(", ");
const HOSTILE_QUERIES = [
  chain(30),
  "assertz((g(0, a))), assertz((g(N, f(X, X)) :- N > 0, M is N - 1, g(M, X))), g(40, T)",
  `X0 = a, ${Array.from({ length: 30 }, (_, i) => `atom_concat(X${i}, X${i}, X${i + 1})`).join(", ")}`,
  "between(1, 1000000, N), functor(T, f, N), assertz(t(T)), fail",
  `X = ${"f(".repeat(400)}a${")".repeat(400)}`,
  "asserta(evil(1))",
  "set_prolog_flag(unknown, fail)",
  "op(700, xfx, ===>)",
  "between(1, 100000, N), assertz(fact(N)), fail",
  "length(L, N), N < 0",
];

const SKB = "hostile SKB queries";

async function hostileSkb(): Promise<void> {
  for (const query of HOSTILE_QUERIES) await send(SKB, "POST", "/api/skb/query", JSON.stringify({ machine: "amd-8x4", query }));
  // A later query sees none of it.
  const r = await send(SKB, "POST", "/api/skb/query", JSON.stringify({ machine: "amd-8x4", query: "evil(X)" }));
  if (r?.status === 200 && r.json.answers.length) problems.push(`${SKB}: evil(1) asserted by one query is seen by the next`);
}

// --- Reads while a long in-process run works.

async function pollLongRun(): Promise<void> {
  const r = await send("reads during a long in-process run", "POST", "/api/runs", JSON.stringify({ experiment: "twopc", engine: "inproc", params: { reps: 12 } }));
  if (r?.status !== 202) return;
  const id = r.json.id;
  for (let i = 0; i < 600; i++) {
    const s = await send("reads during a long in-process run", "GET", `/api/runs/${id}`);
    if (s?.json && s.json.status !== "queued" && s.json.status !== "running") return;
    await new Promise((r) => setTimeout(r, 250));
  }
}

// --- The soak.

async function main(): Promise<void> {
  const port = await freePort();
  const state = await mkdtemp(join(tmpdir(), "edgefish-soak-"));
  base = `http://127.0.0.1:${port}`;
  let server: LocalServer = npmStart(port, state);
  const outputs: string[] = [];
  const t0 = Date.now();
  let restarts = 0;
  try {
    await until(server, "the server to answer", () => answers(port));
    console.error(`[soak] serving on ${base}; ${minutes} min of fuzzing alongside the runs`);

    // Fuzzing, a crowd of runs and runs with faults, all at once; reads of a long run meanwhile.
    const crowded = crowd();
    const faultRuns = faulted(6);
    await Promise.all([...crowded, ...faultRuns].map(startRun));
    await Promise.all([fuzz(Date.now() + minutes * 60_000), check([...crowded, ...faultRuns]), pollLongRun()]);
    console.error(`[soak] fuzzing, ${runs.started} runs and the long run done`);

    // kill -9 of the whole server in the middle of runs, then a restart on the same state.
    const interrupted = [...crowd().slice(0, 10), ...faulted(2)];
    await Promise.all(interrupted.map(startRun));
    await until(server, "a run under way", async () => (await send("kill -9 and restart", "GET", `/api/runs/${interrupted[0].id}`))?.json?.progress?.events > 0);
    await kill9(server);
    outputs.push(server.output());
    restarts++;
    server = npmStart(port, state);
    await until(server, "the server to answer after kill -9", () => answers(port));
    await check(interrupted, "kill -9 and restart");

    await hostileSkb();
  } finally {
    await stop(server);
    outputs.push(server.output());
    await rm(state, { recursive: true, force: true });
  }
  const log = join(tmpdir(), `edgefish-soak-${Date.now()}.log`);
  await writeFile(log, outputs.join("\n--- kill -9, restart ---\n"));
  const said = outputs.join("\n").split("\n").filter((l) => l.startsWith("[serve]") && !/serving on/.test(l));

  // The hostile SKB queries are counted apart: bounding them is the SKB's own work (README).
  const { [SKB]: skb, ...rest } = tallies;
  const total = Object.values(rest).reduce((a, t) => ({ requests: a.requests + t.requests, status5xx: a.status5xx + t.status5xx, notJson: a.notJson + t.notJson, leaks: a.leaks + t.leaks, hangs: a.hangs + t.hangs, maxMs: Math.max(a.maxMs, t.maxMs) }), tally());
  const rows = [...Object.entries(rest), ["all of the above", total] as const, ...(skb ? [[SKB, skb] as const] : [])];
  console.log(`\nReliability soak: ${Math.round((Date.now() - t0) / 1000)} s, seed ${seed}, ${restarts} kill -9 and restart of the server\n`);
  console.log("| requests of | requests | 5xx | not JSON | path leaks | hangs | slowest answer |");
  console.log("|---|---|---|---|---|---|---|");
  for (const [name, t] of rows) console.log(`| ${name} | ${t.requests} | ${t.status5xx} | ${t.notJson} | ${t.leaks} | ${t.hangs} | ${(t.maxMs / 1000).toFixed(1)} s |`);
  console.log(
    `\nruns: ${runs.started} started (${runs.queued} queued first), ${runs.done} done, ${runs.lost} lost, ${runs.differing} differing from the in-process result; ${runs.faultsInjected} faults injected`,
  );
  console.log(`\nthe server's supervisor said (its whole output: ${log}):\n${said.map((l) => `  ${l}`).join("\n") || "  nothing"}`);
  if (problems.length) console.log(`\nproblems:\n${problems.slice(0, 40).map((p) => `  ${p}`).join("\n")}`);
  process.exitCode = total.status5xx + total.hangs + total.leaks + total.notJson + runs.lost + runs.differing ? 1 : 0;
}

void main();
