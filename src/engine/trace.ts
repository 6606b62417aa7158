// What a run did, event by event: every handler (start, end) and every
// message send, per core. Each core folds its records into a running hash in
// the order it handles events, so a run is identified by one hash that both
// transports must reproduce; the records themselves are kept only when a
// trace is asked for, and export to Chrome's trace event format (Perfetto).
import type { Json } from "../json.ts";

export interface HandlerRecord {
  type: "handler";
  core: number;
  kind: string;
  /** Arrival, start and end of the handler, in cycles. */
  time: number;
  start: number;
  end: number;
  src: number;
  seq: number;
  /** A hardware event's (the memory system's), beside the CPU. */
  hardware?: true;
}

export interface SendRecord {
  type: "send";
  core: number;
  kind: string;
  time: number;
  dst: number;
  arrival: number;
  seq: number;
}

/** Something the kernel marks for people: a transaction at a home, from arrival to completion. */
export interface SpanRecord {
  type: "span";
  core: number;
  name: string;
  start: number;
  end: number;
  args: Json;
}

export type TraceRecord = HandlerRecord | SendRecord | SpanRecord;

/** Strings hashed once: event kinds are few and recur on every event. */
const stringWords = new Map<string, number>();

let lastString = "";
let lastWord = 0;

function stringWord(s: string): number {
  if (s === lastString) return lastWord;
  let w = stringWords.get(s);
  if (w === undefined) {
    w = 0x811c9dc5;
    for (let i = 0; i < s.length; i++) w = Math.imul(w ^ s.charCodeAt(i), 0x01000193);
    stringWords.set(s, (w = w >>> 0));
  }
  lastString = s;
  return (lastWord = w);
}

/** Two 32-bit multiplicative lanes, the second fed by the first: 64 bits of run identity, no dependencies. */
export class TraceHash {
  private a = 0x811c9dc5;
  private b = 0x5bd1e995;

  constructor(state?: string) {
    if (state) {
      this.a = parseInt(state.slice(0, 8), 16);
      this.b = parseInt(state.slice(8, 16), 16);
    }
  }

  /** An integer of up to 53 bits (negative ones too: -1 marks the engine as a source). */
  num(x: number): this {
    // Most times fit in 31 bits: one word; larger ones take two, marked by the sign of the first.
    if (x >= 0 && x < 0x80000000) return this.word(x);
    return this.word(~(x | 0)).word((x - (x | 0)) / 4294967296);
  }

  str(s: string): this {
    return this.word(stringWord(s));
  }

  /** A 32-bit integer (a core id, a sequence number). */
  word(w: number): this {
    this.a = Math.imul(this.a ^ w, 0x01000193);
    this.b = Math.imul((this.b ^ w) + (this.a >>> 15), 0x5bd1e995);
    return this;
  }

  hex(): string {
    return (this.a >>> 0).toString(16).padStart(8, "0") + (this.b >>> 0).toString(16).padStart(8, "0");
  }
}

/** The run's hash: the per-core hashes combined in core order. */
export function simulationHash(coreHashes: string[]): string {
  const h = new TraceHash();
  for (const c of coreHashes) h.str(c);
  return h.hex();
}

/** When a record happened, for ordering. */
const at = (r: TraceRecord): number => (r.type === "send" ? r.time : r.start);

/** Canonical order of a merged trace: time, then core, then record order within the core. */
export function mergeTraces(perCore: TraceRecord[][]): TraceRecord[] {
  const all = perCore.flatMap((records, core) => records.map((r, i) => ({ r, core, i })));
  all.sort((x, y) => at(x.r) - at(y.r) || x.core - y.core || x.i - y.i);
  return all.map((x) => x.r);
}

/** A core's memory system (its home agent, its probes) is a thread of its own beside the CPU's. */
const MEMORY_THREAD = 100_000;

/** One simulation's records, for the Chrome trace: its index in the run and its name. */
export interface TracedSimulation {
  index: number;
  name: string;
  clockGHz: number;
  records: TraceRecord[];
}

/**
 * Chrome trace event format: one process per simulation (its pid is the
 * simulation's index in the run, each on its own clock from 0); in it one
 * thread per core's CPU and one for its memory system; handlers as complete
 * events, messages as flow arrows from the send to the CPU handler that takes
 * them, spans (transactions at a home) on the memory threads. Timestamps in
 * microseconds of the simulated machine.
 */
export function toChromeTrace(simulations: readonly TracedSimulation[]): object {
  const events: object[] = [];
  for (const { index: pid, name, clockGHz, records } of simulations) {
    const us = (cycles: number) => cycles / (clockGHz * 1000);
    // Flow ids are global to the file: qualify them by the simulation.
    const flow = (core: number, seq: number) => `${pid}:${core}:${seq}`;
    events.push({ name: "process_name", ph: "M", pid, tid: 0, args: { name } }, { name: "process_sort_index", ph: "M", pid, tid: 0, args: { sort_index: pid } });
    const threads = new Map<number, string>();
    for (const r of records) {
      threads.set(r.core, `core ${r.core}`);
      if (r.type === "span" || (r.type === "handler" && r.hardware)) threads.set(MEMORY_THREAD + r.core, `core ${r.core} memory`);
    }
    for (const [tid, label] of [...threads].sort((a, b) => a[0] - b[0])) events.push({ name: "thread_name", ph: "M", pid, tid, args: { name: label } });
    for (const r of records) {
      if (r.type === "span") {
        events.push({ name: r.name, cat: "memory", ph: "X", pid, tid: MEMORY_THREAD + r.core, ts: us(r.start), dur: us(r.end - r.start), args: r.args });
      } else if (r.type === "handler") {
        const tid = r.hardware ? MEMORY_THREAD + r.core : r.core;
        events.push({ name: r.kind, cat: r.hardware ? "memory" : "handler", ph: "X", pid, tid, ts: us(r.start), dur: us(r.end - r.start), args: { arrival: r.time, start: r.start, end: r.end, src: r.src, seq: r.seq } });
        if (!r.hardware && r.src >= 0 && r.src !== r.core) {
          events.push({ name: r.kind, cat: "message", ph: "f", bp: "e", id: flow(r.src, r.seq), pid, tid, ts: us(r.start) });
        }
      } else {
        events.push({ name: r.kind, cat: "message", ph: "s", id: flow(r.core, r.seq), pid, tid: r.core, ts: us(r.time), args: { to: r.dst, sent: r.time, arrival: r.arrival } });
      }
    }
  }
  return { traceEvents: events, displayTimeUnit: "ns", otherData: { simulations: simulations.map(({ index, name, clockGHz }) => ({ index, name, clockGHz })) } };
}
