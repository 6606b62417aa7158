import { preset, syntheticMachine, type Machine } from "../src/hwmodel/index.ts";
import { DEFAULT_LIMITS, SkbLimitError, SkbQueryError, SkbSyntaxError, SystemKnowledgeBase } from "../src/skb/index.ts";
import { PrologEngine } from "../src/skb/prolog.ts";
import type { BenchEntry, Row } from "./entry";
import { median } from "../src/experiments/sweep.ts";

// Building a machine's SKB (facts and rules in tau-prolog) and having its
// rules compute the NUMA-aware multicast tree, then queries as a user sends
// them: the steady state, after warm-up runs (the first build in a process
// also parses the rules, ~20 ms). Then the hostile queries of issue 13, with
// the default limits: each must stop within maxMs and a 100 ms slack, and a
// quick query sent while a runaway one runs must not wait for it.
const WARMUP = 3;
const BUILDS: { machine: () => Machine; reps: number; targetMs: number }[] = [
  { machine: () => preset("amd-8x4")!, reps: 31, targetMs: 20 },
  { machine: () => syntheticMachine(1024), reps: 5, targetMs: 2000 },
];
const QUERIES: { machine: () => Machine; query: string; reps: number; targetMs: number }[] = [
  { machine: () => preset("amd-8x4")!, query: "leader(1, L)", reps: 101, targetMs: 2 },
  { machine: () => preset("amd-8x4")!, query: "rtt(0, B, C), C > 615", reps: 101, targetMs: 5 },
  { machine: () => preset("amd-8x4")!, query: "route(multicast, 0, Sends)", reps: 31, targetMs: 20 },
  { machine: () => syntheticMachine(1024), query: "rtt(0, 1000, C)", reps: 31, targetMs: 5 },
];

const chain = (first: string, n: number, link: (i: number) => string) => [first, ...Array.from({ length: n }, (_, i) => link(i + 1))].join(", ");
const doubling = (first: string) => chain(first, 30, (i) => `X${i} = f(X${i - 1},X${i - 1})`);
const GROW = "grow(0, X, X).\ngrow(N, X, Y) :- N > 0, M is N - 1, grow(M, f(X, X), Y).";
const ATTACKS: { what: string; query: string; program?: string }[] = [
  { what: "30 links X1 = f(X0,X0), ... (600 B)", query: doubling("true") },
  { what: "a recursive predicate building that term", query: "grow(30, _, T)", program: GROW },
  { what: "the same predicate, asserted by the query", query: `assertz(grow(0, X, X)), assertz((${GROW.split("\n")[1].slice(0, -1)})), grow(30, _, T)` },
  { what: "a term shared with itself, compared", query: `${doubling("X0 = a")}, X30 == X30` },
  { what: "atom_concat/3 doubling an atom", query: chain("X0 = ab", 30, (i) => `atom_concat(X${i - 1}, X${i - 1}, X${i})`) },
  { what: "functor/3 + assertz/1 in a loop", query: "between(1, 1000000, _), functor(T, f, 65535), assertz(big(T)), fail" },
  { what: "functor/3 in a loop", query: "between(1, 1000000, _), functor(T, f, 65535), fail" },
  { what: "an answer of megabytes", query: chain("X0 = abcdefgh", 17, (i) => `atom_concat(X${i - 1}, X${i - 1}, X${i})`) },
  { what: "length(L, 3000000)", query: "length(L, 3000000)" },
  { what: "f( nested 300 deep", query: `X = ${"f(".repeat(300)}a${")".repeat(300)}` },
];
const SLACK_MS = 100;

/** The limit, the ISO error or the syntax error that ended a query. */
function stoppedBy(e: unknown): string {
  if (e instanceof SkbLimitError) return `limit: ${e.limit}`;
  if (e instanceof SkbQueryError) return /^error\((\w+)/.exec(e.term)?.[1] ?? e.term;
  if (e instanceof SkbSyntaxError) return `syntax error: ${e.reason}`;
  throw e;
}

const round2 = (x: number): number => Math.round(x * 100) / 100;

function row(what: string, m: Machine, times: number[], targetMs: number): Row {
  return {
    what,
    machine: m.name,
    reps: times.length,
    "median ms": round2(median(times)),
    "max ms": round2(Math.max(...times)),
    "target ms": targetMs,
    within: median(times) < targetMs ? "yes" : "NO",
  };
}

async function timed(reps: number, body: () => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < WARMUP + reps; i++) {
    const t0 = performance.now();
    await body();
    if (i >= WARMUP) times.push(performance.now() - t0);
  }
  return times;
}

const skb: BenchEntry = {
  name: "skb",
  title: "SKB in Node (tau-prolog): facts + numa-multicast tree from core 0; queries as users send them",
  async run() {
    const rows: Row[] = [];
    for (const { machine, reps, targetMs } of BUILDS) {
      const m = machine();
      rows.push(row("facts + numa-multicast tree", m, await timed(reps, async () => (await SystemKnowledgeBase.for(m)).route("numa-multicast", 0)), targetMs));
    }
    for (const { machine, query, reps, targetMs } of QUERIES) {
      const m = machine();
      const kb = await SystemKnowledgeBase.for(m);
      rows.push(row(`query ${query}`, m, await timed(reps, () => kb.query(query)), targetMs));
    }
    const m = preset("amd-8x4")!;
    const kb = await SystemKnowledgeBase.for(m);
    for (const { what, query, program } of ATTACKS) {
      const engine = program ? new PrologEngine(program) : kb;
      const t0 = performance.now();
      const stopped = await engine.query(query).then(() => "nothing: it answered", stoppedBy);
      rows.push({ ...row(`attack: ${what}`, m, [performance.now() - t0], DEFAULT_LIMITS.maxMs + SLACK_MS), "stopped by": stopped });
    }
    const quick: number[] = [];
    for (let i = 0; i < 10; i++) {
      const runaway = kb.query("repeat, fail", { maxSteps: 100_000_000, maxMs: 300 }).catch(() => undefined);
      const t0 = performance.now();
      await kb.query("leader(1, L)");
      quick.push(performance.now() - t0);
      await runaway;
    }
    rows.push(row("query leader(1, L) while repeat, fail runs", m, quick, 20));
    return rows;
  },
};

export default skb;
