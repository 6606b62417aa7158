// A small pure driver of the line model: Barrelfish's URPC micro-benchmarks
// (usr/bench/ump_bench: latency.c, throughput.c, main.c) run on two cores whose
// only shared state is the two rings' cache lines, every access a HomeAgent
// transaction. Used by the calibration test and by fit-coherence.ts.
//
// The benchmark, as the Barrelfish code does it:
// - A channel is two rings of 32 one-line slots (DEFAULT_UMP_BUFLEN: half a
//   4 KiB page of 64-byte messages), one per direction. The client (core b,
//   which binds) allocates the channel's frame; we take it from b's local
//   memory, so b's package is the home of both rings.
// - Latency: core a sends and spins on the reply; b echoes every message; the
//   round trip is timed on a (printed unhalved).
// - Throughput: a first queues 16 messages (NUM_MSGS), then in a loop takes
//   one reply and sends one more; b echoes. So 16 messages circulate and each
//   core receives and sends one per iteration; the figure is messages per
//   1000 cycles of a's iteration.
// The cores: a send is 16 cycles of work (URPC_SEND) and then a posted store
// of the slot's header; stores commit in order, so a core's RFOs go out one
// after another. Where the machine's loads pass stores (loadsPassStores, as
// x86-TSO allows), a read miss goes out while an RFO is pending; otherwise it
// waits for the core's stores. A receive polls the next slot: a valid copy
// with the new message is a hit; a stale one spins until the writer's probe
// invalidates it, then re-reads; no copy is a read miss. Taking the message
// costs 24 cycles (URPC_RECEIVE).
import { CoreLines, homeFor, HomeAgent, type LineOp, type Transaction } from "../../src/hwmodel/coherence.ts";
import { URPC_RECEIVE, URPC_SEND } from "../../src/hwmodel/defaults.ts";
import type { Machine } from "../../src/hwmodel/machine.ts";

export const RING = 32;
export const QUEUE = 16;

type Op = { cpu: number } | { store: string } | { poll: string; version: number } | { mark: true };

interface Poll {
  line: string;
  version: number;
  /** A read is out for it, or waits for the core's stores. */
  reading: boolean;
}

interface Core {
  id: number;
  program: Iterator<Op>;
  view: CoreLines;
  /** The version of each line its last read or write saw. */
  seen: Map<string, number>;
  stores: string[];
  storing: boolean;
  polling: Poll | null;
  /** A read that waits for the store buffer to drain. */
  held: boolean;
  marks: number[];
}

type Event =
  | { kind: "resume"; core: Core }
  | { kind: "arrive"; core: Core; line: string; op: LineOp }
  | { kind: "complete"; core: Core; tx: Transaction; version: number }
  | { kind: "notice"; core: Core; line: string; seq: number; state: "O" | "S" | "I" };

/** Two cores over the line model, events in time order, ties in scheduling order. */
class Bench {
  private readonly queue: { at: number; n: number; e: Event }[] = [];
  private n = 0;
  /** Writes serialised at the home so far, per line: what a read there returns. */
  private readonly version = new Map<string, number>();
  private readonly home: HomeAgent;
  private readonly loadsPassStores: boolean;
  private readonly cores: Core[];

  constructor(m: Machine, ringHome: number, programs: [number, Iterator<Op>][]) {
    const h = homeFor(m, m.corePackage[ringHome]);
    this.home = new HomeAgent(m, h.package, h.core);
    this.loadsPassStores = m.costs.loadsPassStores;
    this.cores = programs.map(([id, program]) => ({
      id,
      program,
      view: new CoreLines(),
      seen: new Map(),
      stores: [],
      storing: false,
      polling: null,
      held: false,
      marks: [],
    }));
  }

  /** Runs until core `c`'s program has left `marks` marks; returns them. */
  run(c: number, marks: number): number[] {
    for (const core of this.cores) this.at(0, { kind: "resume", core });
    const watched = this.cores[c];
    while (watched.marks.length < marks) {
      let best = 0;
      for (let i = 1; i < this.queue.length; i++) {
        const q = this.queue[i];
        const b = this.queue[best];
        if (q.at < b.at || (q.at === b.at && q.n < b.n)) best = i;
      }
      const [{ at, e }] = this.queue.splice(best, 1);
      this.handle(at, e);
    }
    return watched.marks;
  }

  private at(at: number, e: Event): void {
    this.queue.push({ at, n: this.n++, e });
  }

  private handle(now: number, e: Event): void {
    const c = e.core;
    switch (e.kind) {
      case "resume":
        return this.step(c, now);
      case "arrive": {
        const tx = this.home.request(now, { requester: c.id, line: e.line, op: e.op });
        if (e.op !== "read") this.version.set(e.line, (this.version.get(e.line) ?? 0) + 1);
        this.at(tx.complete, { kind: "complete", core: c, tx, version: this.version.get(e.line) ?? 0 });
        for (const n of tx.notices) {
          const to = this.cores.find((k) => k.id === n.core)!;
          this.at(n.at, { kind: "notice", core: to, line: e.line, seq: tx.seq, state: n.state });
        }
        return;
      }
      case "complete": {
        const { tx } = e;
        c.view.apply(tx.line, tx.seq, tx.granted);
        c.seen.set(tx.line, e.version);
        if (tx.op !== "read") {
          c.stores.shift();
          c.storing = false;
          this.drain(c, now);
          if (c.held && !c.storing) {
            c.held = false;
            this.issue(c, now, c.polling!.line);
          }
          return;
        }
        const p = c.polling!;
        p.reading = false;
        if (e.version >= p.version) {
          c.polling = null;
          return this.step(c, now);
        }
        // The old message: spin on the copy, or read again if a probe already took it.
        if (c.view.state(p.line) === "I") this.read(c, now, p);
        return;
      }
      case "notice": {
        c.view.apply(e.line, e.seq, e.state);
        const p = c.polling;
        if (p && p.line === e.line && !p.reading && c.view.state(e.line) === "I") this.read(c, now, p);
        return;
      }
    }
  }

  private read(c: Core, now: number, p: Poll): void {
    p.reading = true;
    if (!this.loadsPassStores && c.storing) c.held = true;
    else this.issue(c, now, p.line);
  }

  private issue(c: Core, now: number, line: string): void {
    this.at(this.home.arrival(c.id, now), { kind: "arrive", core: c, line, op: "read" });
  }

  /** Commits stores in order: a hit commits at once, a miss waits for its RFO. */
  private drain(c: Core, now: number): void {
    while (!c.storing && c.stores.length) {
      const line = c.stores[0];
      if (c.view.hits(line, "write")) {
        const v = (this.version.get(line) ?? 0) + 1;
        this.version.set(line, v);
        c.seen.set(line, v);
        c.stores.shift();
        continue;
      }
      c.storing = true;
      this.at(this.home.arrival(c.id, now), { kind: "arrive", core: c, line, op: "write" });
    }
  }

  private step(c: Core, now: number): void {
    for (;;) {
      const next = c.program.next();
      if (next.done) return;
      const op = next.value;
      if ("cpu" in op) return this.at(now + op.cpu, { kind: "resume", core: c });
      if ("mark" in op) {
        c.marks.push(now);
        continue;
      }
      if ("store" in op) {
        c.stores.push(op.store);
        this.drain(c, now);
        continue;
      }
      const valid = c.view.state(op.poll) !== "I";
      if (valid && (c.seen.get(op.poll) ?? 0) >= op.version) continue;
      c.polling = { line: op.poll, version: op.version, reading: false };
      if (!valid) this.read(c, now, c.polling);
      return;
    }
  }
}

const slot = (ring: string, i: number) => `${ring}:${i % RING}`;
/** The i-th message on a ring is the (i / RING + 1)-th write of its slot. */
const version = (i: number) => Math.floor(i / RING) + 1;

function* echo(): Generator<Op> {
  for (let i = 0; ; i++) {
    yield { poll: slot("ab", i), version: version(i) };
    yield { cpu: URPC_RECEIVE + URPC_SEND };
    yield { store: slot("ba", i) };
  }
}

/** Mean URPC round trip from a to b and back, over `count` iterations after `skip`. */
export function pingPong(m: Machine, a: number, b: number, skip = 2 * RING, count = RING): number {
  function* initiator(): Generator<Op> {
    for (let i = 0; ; i++) {
      yield { mark: true };
      yield { cpu: URPC_SEND };
      yield { store: slot("ab", i) };
      yield { poll: slot("ba", i), version: version(i) };
      yield { cpu: URPC_RECEIVE };
    }
  }
  const marks = new Bench(m, b, [[a, initiator()], [b, echo()]]).run(0, skip + count + 1);
  return (marks[skip + count] - marks[skip]) / count;
}

/** Messages per 1000 cycles with 16 messages circulating between a and b, over `count` iterations after `skip`. */
export function throughput(m: Machine, a: number, b: number, skip = 2 * RING, count = RING): number {
  function* initiator(): Generator<Op> {
    for (let i = 0; i < QUEUE; i++) {
      yield { cpu: URPC_SEND };
      yield { store: slot("ab", i) };
    }
    for (let i = 0; ; i++) {
      yield { poll: slot("ba", i), version: version(i) };
      yield { cpu: URPC_RECEIVE };
      yield { mark: true };
      yield { cpu: URPC_SEND };
      yield { store: slot("ab", QUEUE + i) };
    }
  }
  const marks = new Bench(m, b, [[a, initiator()], [b, echo()]]).run(0, skip + count + 1);
  return (1000 * count) / (marks[skip + count] - marks[skip]);
}
