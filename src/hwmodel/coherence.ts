// The cache-line model: lines with a home, a coherence state per core, and
// transactions that the home serialises, so that contention comes out of the
// run instead of a formula.
//
// What is modelled
// - A line's home is the memory controller of the package whose memory holds
//   it. Its authoritative state (each core's MOESI or MESI state, hence the
//   owner and the sharers; the time until which the line is busy) lives in one
//   HomeAgent, owned by one simulated core: the lowest booted core of the home
//   package, or on a front-side-bus machine core 0 for every line, because the
//   bus orders every transaction of the machine. The agent is hardware: it
//   costs its core no cycles.
// - A miss or an upgrade is a transaction. The requester's request reaches the
//   home (`arrival`); the home takes transactions in arrival order, one at a
//   time per line (a line is busy from service until the requester's
//   completion is acknowledged); whatever their lines, a transaction holds one
//   of the home's `homeSlots` request slots for `homeOccupancy` cycles from
//   its start, so a busy home queues requests. A request waiting for its line
//   holds no slot: a later request for another line may go first.
// - Every time the home returns (completion, each notice) lies at least
//   Interconnect.lags().answer after the request's arrival, and every arrival
//   lags().request after its issue: the engine's lookahead is made of them.
// - HyperTransport machines (the paper's Opterons: MOESI, no probe filter in
//   2009): the home broadcasts a probe to every package along a breadth-first
//   tree and every package answers the requester; the owner (M, O or E)
//   answers with the data, or the home's DRAM supplies it when no cache owns
//   the line. The requester completes when every answer is in, and sends
//   SrcDone back to the home, which frees the line. A transaction's length thus
//   depends on the package farthest from the home, not only on the requester:
//   even two cores sharing an L3 pay the broadcast (the paper's Table 2 has
//   538 cycles for a shared-L3 pair on amd-8x4 against 613 for one hop).
//   Each packet holds each link it crosses for its size over the link's
//   bandwidth, so the transactions of one home queue on its links.
// - Front-side bus (the 2x4-core Xeon: MESI): a transaction between dies is a
//   bus transaction, serialised machine-wide; cores sharing a die's L2 move a
//   line through the L2 without the bus when no other die needs to see it.
// - A line polled by readers (a URPC slot, a broadcast channel): `writePolled`
//   serialises the write and then every poller's re-read, each queued at the
//   home once the invalidation has reached its poller and its request has come
//   back. It handles those reads at once, so it suits lines nobody else
//   touches meanwhile; otherwise send each re-read as its own request.
//
// What is not
// - Contention between transactions of different homes on a shared link or a
//   package's probe port: each home books links only for its own packets
//   (state shared between homes would be state shared between simulated
//   cores). Transactions of one home do queue on its links.
// - Capacity: no evictions, no writebacks, no cache sizes; a line stays where
//   the protocol last put it.
// - A core's own side: whether an access hits (see CoreLines), its store
//   buffer and how many misses it has outstanding are the caller's to model.
//
// Sources: the Opteron's broadcast coherence and SrcDone, Conway and Hughes,
// "The AMD Opteron Northbridge Architecture", IEEE Micro 27(2), 2007; packet
// sizes, the HyperTransport I/O Link Specification (interconnect.ts). The
// latencies are fitted to the paper's Table 2 through this mechanism, run as
// Barrelfish's ump_bench (test/hwmodel/urpc-bench.ts); link bandwidths, DRAM
// and the Xeon's on-chip and snoop legs come from datasheets. defaults.ts
// names the source of each value.
import { interconnectOf, type Interconnect } from "./interconnect.ts";
import type { Machine } from "./machine.ts";

/** MOESI on HyperTransport machines; MESI (never O) on the front-side bus. */
export type LineState = "M" | "O" | "E" | "S";
export type LineOp = "read" | "write" | "rmw";

export interface LineRequest {
  requester: number;
  line: string;
  /** rmw (a locked read-modify-write) needs the line exclusive, like a write. */
  op: LineOp;
}

/** A probe that changed a core's copy of the line, and when it reached the core. */
export interface Notice {
  core: number;
  at: number;
  state: "O" | "S" | "I";
}

export interface Transaction {
  line: string;
  requester: number;
  op: LineOp;
  /** The line's transaction number at its home: notices and completions apply in this order. */
  seq: number;
  arrival: number;
  /** When the home started it; `wait` = serviced - arrival, its queueing at the home. */
  serviced: number;
  wait: number;
  /** When the requester has the data (or the ownership) and every answer. */
  complete: number;
  /** The requester's state from `complete` on. */
  granted: LineState;
  notices: Notice[];
  /** Who supplied the data: a core, the home's memory, or nobody (an upgrade). */
  supplier: number | "memory" | null;
  /** When the home may start the line's next transaction. */
  released: number;
}

export interface LineStats {
  line: string;
  transactions: number;
  meanWait: number;
  maxWait: number;
}

interface LineRecord {
  states: Map<number, LineState>;
  busy: number;
  seq: number;
  transactions: number;
  waitSum: number;
  waitMax: number;
}

// Snapshots are type aliases, not interfaces, so that they are Json (src/json.ts) as they stand.
export type LineSnapshot = {
  states: [number, LineState][];
  busy: number;
  seq: number;
  transactions: number;
  waitSum: number;
  waitMax: number;
};

export type HomeSnapshot = {
  package: number;
  core: number;
  /** Start times the home (or the bus) has booked, and on a front-side bus each die's L2. */
  starts: number[];
  dies: number[][];
  links: [number, number][];
  lines: [string, LineSnapshot][];
};

/**
 * The holders a line has before its first transaction, by core: how a
 * simulation finds its lines at time 0 (a URPC ring warm from its first lap,
 * say) without storing every line it will ever touch. A pure function of the
 * line's name; the default is no holders at all.
 */
export type Primer = (line: string) => readonly (readonly [number, LineState])[];

const COLD: Primer = () => [];

/**
 * The package whose home agent serves lines held in `memoryPackage`'s memory,
 * and the core that owns it: the package's lowest booted core (a run boots
 * cores 0 .. booted-1).
 */
export function homeFor(m: Machine, memoryPackage: number, booted = m.numCores): { package: number; core: number } {
  const pkg = m.interconnect === "fsb" ? 0 : memoryPackage;
  if (!Number.isInteger(pkg) || pkg < 0 || pkg >= m.numPackages) throw new RangeError(`memoryPackage: no package ${memoryPackage}`);
  const core = m.interconnect === "fsb" ? 0 : m.packageCores[pkg].find((c) => c < booted);
  if (core === undefined || core >= booted) {
    throw new RangeError(`memoryPackage: no booted core ${m.interconnect === "fsb" ? "on the machine" : `in package ${pkg}`}`);
  }
  return { package: pkg, core };
}

const OPS: readonly LineOp[] = ["read", "write", "rmw"];

export class HomeAgent {
  private readonly net: Interconnect;
  private readonly lines = new Map<string, LineRecord>();
  private readonly links = new Map<number, number>();
  /** The home's (or the bus's) bookings; each die's L2 likewise (FSB). */
  private home: Calendar;
  private dies: Calendar[];
  /** Scratch, by package: when a probe's head and all of it reached each package (one transaction at a time). */
  private readonly headAt: Float64Array;
  private readonly probedAt: Float64Array;

  constructor(
    readonly machine: Machine,
    readonly homePackage: number,
    readonly homeCore: number,
    private readonly primer: Primer = COLD,
  ) {
    this.net = interconnectOf(machine);
    this.headAt = new Float64Array(machine.numPackages);
    this.probedAt = new Float64Array(machine.numPackages);
    const { homeOccupancy, homeSlots, dieOccupancy } = this.net.t;
    this.home = new Calendar(homeOccupancy, homeSlots);
    const dies = this.net.fsb ? machine.coreDie.reduce((n, d) => Math.max(n, d + 1), 0) : 0;
    this.dies = Array.from({ length: dies }, () => new Calendar(dieOccupancy, 1));
    if (!Number.isInteger(homePackage) || homePackage < 0 || homePackage >= machine.numPackages) {
      throw new RangeError(`homePackage: no package ${homePackage}`);
    }
    if (!Number.isInteger(homeCore) || homeCore < 0 || homeCore >= machine.numCores) throw new RangeError(`homeCore: no core ${homeCore}`);
  }

  static restore(machine: Machine, s: HomeSnapshot, primer: Primer = COLD): HomeAgent {
    const h = new HomeAgent(machine, s.package, s.core, primer);
    h.home.starts = [...s.starts];
    s.dies.forEach((d, i) => (h.dies[i].starts = [...d]));
    for (const [k, v] of s.links) h.links.set(k, v);
    for (const [id, l] of s.lines) h.lines.set(id, { ...l, states: new Map(l.states) });
    return h;
  }

  toJSON(): HomeSnapshot {
    return {
      package: this.homePackage,
      core: this.homeCore,
      starts: [...this.home.starts],
      dies: this.dies.map((d) => [...d.starts]),
      links: [...this.links],
      lines: [...this.lines].map(([id, l]) => [
        id,
        { states: [...l.states].sort((a, b) => a[0] - b[0]), busy: l.busy, seq: l.seq, transactions: l.transactions, waitSum: l.waitSum, waitMax: l.waitMax },
      ]),
    };
  }

  /** When a request that `core` issues at `issue` reaches this home. */
  arrival(core: number, issue: number): number {
    return this.net.requestArrival(core, this.homePackage, issue);
  }

  /** Every core's state of a line, by core. */
  holders(line: string): [number, LineState][] {
    const states = this.lines.get(line)?.states ?? new Map(this.primer(line));
    return [...states].sort((a, b) => a[0] - b[0]);
  }

  /**
   * Handles one request that reached the home at `arrival`. Call in arrival
   * order (the engine's order of events at the home core): the line's state
   * changes now, in the order the home serialises it.
   */
  request(arrival: number, req: LineRequest): Transaction {
    this.check(arrival, req);
    // No later request arrives before this one: bookings that end by now are history.
    this.home.prune(arrival);
    for (const d of this.dies) d.prune(arrival);
    return this.serve(arrival, req);
  }

  private serve(arrival: number, req: LineRequest): Transaction {
    let rec = this.lines.get(req.line);
    if (!rec) this.lines.set(req.line, (rec = { states: new Map(this.primer(req.line)), busy: 0, seq: 0, transactions: 0, waitSum: 0, waitMax: 0 }));
    const tx = this.net.fsb ? this.bus(rec, arrival, req) : this.broadcast(rec, arrival, req);
    rec.transactions++;
    rec.waitSum += tx.wait;
    rec.waitMax = Math.max(rec.waitMax, tx.wait);
    return tx;
  }

  /**
   * A write by `writer` to a line that `pollers` are spinning on: the write,
   * then each poller's re-read, queued at the home in the order their
   * requests come back after the invalidation reaches them (ties by core). A
   * poller without a copy re-reads once the write is serviced. Valid when
   * nothing else touches the line meanwhile (a URPC slot, a broadcast
   * channel's line): the reads are handled now, ahead of requests for other
   * lines that may arrive before them.
   */
  writePolled(arrival: number, w: { writer: number; line: string; pollers: readonly number[] }): { write: Transaction; reads: Transaction[] } {
    const write = this.request(arrival, { requester: w.writer, line: w.line, op: "write" });
    const queue = [...new Set(w.pollers)]
      .filter((p) => p !== w.writer)
      .map((p) => {
        const seen = write.notices.find((n) => n.core === p)?.at ?? write.serviced;
        return { p, at: this.arrival(p, seen) };
      })
      .sort((a, b) => a.at - b.at || a.p - b.p);
    return { write, reads: queue.map(({ p, at }) => this.serve(at, { requester: p, line: w.line, op: "read" })) };
  }

  /** Per-line contention: transactions and their queueing at the home, hottest (most waited) first. */
  stats(limit = Infinity): LineStats[] {
    return [...this.lines]
      .filter(([, l]) => l.transactions > 0)
      .sort((a, b) => b[1].waitSum - a[1].waitSum || b[1].transactions - a[1].transactions || (a[0] < b[0] ? -1 : 1))
      .slice(0, limit)
      .map(([line, l]) => ({ line, transactions: l.transactions, meanWait: l.waitSum / l.transactions, maxWait: l.waitMax }));
  }

  private check(arrival: number, req: LineRequest): void {
    if (!Number.isInteger(arrival) || arrival < 0) throw new RangeError(`arrival: must be a cycle count >= 0, got ${arrival}`);
    if (!Number.isInteger(req.requester) || req.requester < 0 || req.requester >= this.machine.numCores) {
      throw new RangeError(`requester: no core ${req.requester}`);
    }
    if (typeof req.line !== "string" || !req.line) throw new RangeError("line: must be a non-empty string");
    if (!OPS.includes(req.op)) throw new RangeError(`op: must be read, write or rmw, got ${String(req.op)}`);
  }

  /** A HyperTransport transaction: probes to every package, answers to the requester, SrcDone to the home. */
  private broadcast(rec: LineRecord, arrival: number, req: LineRequest): Transaction {
    const { t } = this.net;
    const m = this.machine;
    const serviced = this.home.book(Math.max(arrival, rec.busy));
    const r = req.requester;
    const rp = m.corePackage[r];
    const owner = ownerOf(rec, r);
    const needData = !rec.states.has(r);
    const probed = this.probedAt;
    let order: readonly number[];
    if (this.net.probeFilter) {
      // The directory knows who holds the line: a read probes only its owner, a write every holder; the home answers too.
      const targets = new Set([this.homePackage]);
      if (req.op === "read") {
        if (owner !== undefined) targets.add(m.corePackage[owner]);
      } else {
        for (const core of rec.states.keys()) if (core !== r) targets.add(m.corePackage[core]);
      }
      order = [...targets].sort((a, b) => a - b);
      for (const p of order) probed[p] = this.net.send(this.links, this.homePackage, p, serviced, "probe");
    } else {
      const tree = this.net.broadcastTree(this.homePackage);
      const head = this.headAt;
      order = tree.order;
      // Probe heads cut through the tree; a package acts on a probe once all of it is in.
      head[this.homePackage] = probed[this.homePackage] = serviced;
      for (const p of order) {
        const up = tree.parent[p];
        if (up < 0) continue;
        head[p] = this.net.cross(this.links, up, p, head[up], "probe");
        probed[p] = this.net.tail(up, p, head[p], probed[up], "probe");
      }
    }
    const supplier = needData ? (owner ?? "memory") : null;
    let complete = serviced;
    for (const p of order) {
      const kind = typeof supplier === "number" && m.corePackage[supplier] === p ? "data" : "response";
      complete = Math.max(complete, this.net.send(this.links, p, rp, probed[p] + t.probe, kind) + t.chip);
    }
    if (supplier === "memory") complete = Math.max(complete, this.net.send(this.links, this.homePackage, rp, serviced + t.memory, "data") + t.chip);
    const notices = this.apply(rec, req, (core) => probed[m.corePackage[core]] + t.probe, "O");
    const released = this.net.send(this.links, rp, this.homePackage, complete + t.chip, "response");
    rec.busy = released;
    return this.transaction(rec, req, arrival, serviced, complete, notices, supplier, released);
  }

  /** A front-side-bus transaction, or a transfer through the requester's die L2 when no other die is involved. */
  private bus(rec: LineRecord, arrival: number, req: LineRequest): Transaction {
    const { t } = this.net;
    const die = this.machine.coreDie;
    const r = req.requester;
    // By core, so that a restored agent picks the same supplier as the original.
    const others = [...rec.states.keys()].filter((c) => c !== r).sort((a, b) => a - b);
    const onDie = others.filter((c) => die[c] === die[r]);
    const local = req.op === "read" ? onDie.length > 0 || rec.states.has(r) : others.length === onDie.length && (onDie.length > 0 || rec.states.has(r));
    const owner = ownerOf(rec, r);
    const needData = !rec.states.has(r);
    let serviced: number;
    let complete: number;
    let supplier: number | "memory" | null;
    if (local) {
      // The L2 snoops the die-mates and answers: dieTransfer, data or not.
      serviced = this.dies[die[r]].book(Math.max(arrival, rec.busy));
      supplier = needData ? (onDie.find((c) => c === owner) ?? onDie[0]) : null;
      complete = serviced + t.dieTransfer + t.chip;
    } else {
      serviced = this.home.book(Math.max(arrival, rec.busy));
      supplier = needData ? (owner ?? "memory") : null;
      complete = serviced + (supplier === "memory" ? Math.max(t.hop, t.memory) : t.hop) + t.chip;
    }
    const notices = this.apply(rec, req, () => serviced + (local ? t.dieTransfer : t.probe), "S");
    rec.busy = complete;
    return this.transaction(rec, req, arrival, serviced, complete, notices, supplier, complete);
  }

  /**
   * The protocol's state changes: a read leaves the other holders shared (an
   * M owner keeps the data as O under MOESI, writes it back and shares it
   * under MESI); a write or rmw invalidates them all.
   */
  private apply(rec: LineRecord, req: LineRequest, reach: (core: number) => number, dirtyShared: "O" | "S"): Notice[] {
    const notices: Notice[] = [];
    const r = req.requester;
    const mine = rec.states.get(r);
    for (const [core, s] of rec.states) {
      if (core === r) continue;
      const next: "O" | "S" | "I" = req.op !== "read" ? "I" : s === "M" ? dirtyShared : s === "O" ? "O" : "S";
      if (next !== s) notices.push({ core, at: reach(core), state: next });
    }
    // By core: the states' order of insertion is not kept when an agent is restored.
    notices.sort((a, b) => a.core - b.core);
    for (const n of notices) {
      if (n.state === "I") rec.states.delete(n.core);
      else rec.states.set(n.core, n.state);
    }
    if (req.op !== "read") rec.states.set(r, "M");
    else if (mine === undefined) rec.states.set(r, rec.states.size > 0 ? "S" : "E");
    return notices;
  }

  private transaction(
    rec: LineRecord,
    req: LineRequest,
    arrival: number,
    serviced: number,
    complete: number,
    notices: Notice[],
    supplier: number | "memory" | null,
    released: number,
  ): Transaction {
    return {
      line: req.line,
      requester: req.requester,
      op: req.op,
      seq: ++rec.seq,
      arrival,
      serviced,
      wait: serviced - arrival,
      complete,
      granted: rec.states.get(req.requester)!,
      notices,
      supplier,
      released,
    };
  }
}

/**
 * The bookings of a resource with `capacity` slots (a home agent, a die's L2)
 * whose transactions each hold a slot for `length` cycles. A transaction
 * waiting for its line does not hold up the resource for other lines: a later
 * request may take an earlier gap.
 */
class Calendar {
  /** Booked starts, ascending; those that ended before the latest arrival are pruned. */
  starts: number[] = [];
  /**
   * No new booking can start at a booking end at or before this: it did not
   * fit (bookings only accumulate, so it never will), or it lies before the
   * latest arrival. A long queue is scanned once, not once per request.
   */
  private fullThrough = -Infinity;

  constructor(
    private readonly length: number,
    private readonly capacity: number,
  ) {}

  /** Books the first start at or after `earliest` with a slot free through its length. */
  book(earliest: number): number {
    const { starts, length } = this;
    if (length <= 0) return earliest;
    let t = earliest;
    if (!this.fits(t)) {
      // Capacity frees only as a booking ends, and the ends ascend with the starts: the first end that fits is the earliest.
      const known = earliest <= this.fullThrough;
      for (let i = this.after(Math.max(earliest, known ? this.fullThrough : earliest) - length); ; i++) {
        t = starts[i] + length;
        if (this.fits(t)) break;
        if (known) this.fullThrough = t;
      }
    }
    // The new booking's end is a candidate nobody has tried.
    if (t + length <= this.fullThrough) this.fullThrough = t + length - 1;
    starts.splice(this.after(t), 0, t);
    return t;
  }

  /** Forgets bookings that ended by `now` (no later request arrives before it). */
  prune(now: number): void {
    if (now > this.fullThrough) this.fullThrough = now;
    let n = 0;
    while (n < this.starts.length && this.starts[n] + this.length <= now) n++;
    if (n) this.starts.splice(0, n);
  }

  /** The index of the first booked start after p (binary search). */
  private after(p: number): number {
    const { starts } = this;
    let lo = 0;
    let hi = starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (starts[mid] <= p) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Bookings under way at p. */
  private busyAt(p: number): number {
    return this.after(p) - this.after(p - this.length);
  }

  /** A start at t fits if capacity is free at t and at every booked start within its length. */
  private fits(t: number): boolean {
    const { starts, length, capacity } = this;
    if (this.busyAt(t) >= capacity) return false;
    for (let i = this.after(t); i < starts.length && starts[i] < t + length; i++) {
      if (this.busyAt(starts[i]) >= capacity) return false;
    }
    return true;
  }
}

function ownerOf(rec: LineRecord, except: number): number | undefined {
  for (const [core, s] of rec.states) if (core !== except && (s === "M" || s === "O" || s === "E")) return core;
  return undefined;
}

/**
 * One core's own view of its lines, from the completions and notices the
 * homes send it: whether an access hits, and the state to keep. Updates apply
 * in each line's transaction order, so a notice that overtakes an older
 * completion is not undone by it.
 */
export type CoreLineSnapshot = [string, { state: LineState | "I"; seq: number }][];

export class CoreLines {
  private readonly lines = new Map<string, { state: LineState | "I"; seq: number }>();

  /** `core`'s view; `primer` gives its copies of lines no transaction has touched yet. */
  constructor(
    private readonly core = -1,
    private readonly primer: Primer = COLD,
  ) {}

  static restore(entries: CoreLineSnapshot, core = -1, primer: Primer = COLD): CoreLines {
    const v = new CoreLines(core, primer);
    for (const [line, e] of entries) v.lines.set(line, { ...e });
    return v;
  }

  toJSON(): CoreLineSnapshot {
    return [...this.lines].map(([line, e]) => [line, { ...e }]);
  }

  state(line: string): LineState | "I" {
    const known = this.lines.get(line);
    if (known) return known.state;
    for (const [core, s] of this.primer(line)) if (core === this.core) return s;
    return "I";
  }

  /** A read hits any valid copy; a write or rmw needs M or E (E turns M silently). */
  hits(line: string, op: LineOp): boolean {
    const s = this.state(line);
    if (op === "read") return s !== "I";
    if (s === "E") this.lines.set(line, { state: "M", seq: this.lines.get(line)?.seq ?? 0 });
    return s === "M" || s === "E";
  }

  /** Applies a transaction's outcome for this core: its completion or a notice. Returns false if stale. */
  apply(line: string, seq: number, state: LineState | "I"): boolean {
    const cur = this.lines.get(line);
    if (cur && cur.seq > seq) return false;
    this.lines.set(line, { state, seq });
    return true;
  }
}
