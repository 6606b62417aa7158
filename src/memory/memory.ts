// The memory system as one core takes part in it, on the cache-line model of
// src/hwmodel/coherence.ts. Two roles, both hardware (they cost the CPU no
// cycles, and run beside it as hardware events):
//
// - The core's own side: its view of its lines (which accesses hit), its
//   store buffer (stores are posted and commit in program order, so one RFO
//   is out at a time), and the lines it spins on. A core polling a line holds
//   a copy and spins on it; when the writer's probe invalidates the copy it
//   reads the line again, and a read that returns the version it waits for
//   makes the poll ready. On a machine whose loads may not pass stores
//   (loadsPassStores false) a read waits for the core's stores to drain.
// - The home: for the packages whose memory this core's package controller
//   holds in this run (homeFor), a HomeAgent serialises the transactions on
//   those lines; a line's contents (the last value written, and how many
//   writes it has seen) live here too, so a read returns what the write it
//   was serialised after wrote.
//
// Requests, completions and invalidation notices are events between the
// requester and the home core (to itself when they are the same core), so no
// state is shared between cores and both engines give the same run.
//
// Write-back lines (LineRef.cached): OS data that cores read and write in
// place, such as a replica shared by a group of cores or an operation log.
// Their contents live in the caches, as on the real machine: a store that
// hits a line held exclusively (M or E) commits in the cache and costs no
// transaction, and a transaction that needs the line's data takes it from a
// core that holds a valid copy (every valid copy holds the current data):
// the home forwards the request to that core with the probe that reaches it,
// and the holder answers the requester. Loads hit a valid copy at once;
// atomic exchanges and fetch-and-adds (x86's locked instructions) commit in
// store order and answer with the value they replaced. The home keeps only
// the contents a line had before any cache held it.
import {
  CoreLines,
  HomeAgent,
  homeFor,
  interconnectOf,
  type CoreLineSnapshot,
  type HomeSnapshot,
  type LineOp,
  type LineState,
  type Machine,
  type Primer,
} from "../hwmodel/index.ts";
import { EventClass, type Context, type Json, type SimEvent } from "../engine/index.ts";

export const MEM_REQUEST = "mem-req";
export const MEM_DONE = "mem-done";
export const MEM_NOTICE = "mem-notice";
export const MEM_FORWARD = "mem-forward";

/** A line and the package whose memory holds it; `cached`: a write-back line, whose contents live in the caches. */
export type LineRef = { line: string; memory: number; cached?: true };

/**
 * A locked read-modify-write of a write-back line: exchange (xchg),
 * fetch-and-add (lock xadd), or keep the larger number (x86 has no atomic
 * max: a lock cmpxchg loop, taken as one locked instruction, as it is when
 * the line stays exclusive between the loop's load and its cmpxchg).
 */
export type Atomic = { xchg: Json } | { add: number } | { max: number };

/** The identity of the event that wrote a line's contents: (core, sequence number). */
export type Origin = [number, number];

/** A poll that became ready, or a fence whose stores all committed. */
export type Ready = { tag: Json; value: Json; origin: Origin | null };

type Request = { line: string; memory: number; op: LineOp; value: Json; cached?: true };
/** `own`: a write-back line's requester already holds its current contents (an upgrade). */
type Done = { line: string; memory: number; op: LineOp; seq: number; state: LineState; version: number; value: Json; origin: Origin | null; cached?: true; own?: true };
type Notice = { line: string; seq: number; state: "O" | "S" | "I" };
/** A write-back line's transaction sent on to a core that holds it: it answers the requester at `at` with its contents. */
type Forward = { done: Done; requester: number; at: number; notice: Notice | null };

type Store = LineRef & { value: Json; op: "write" | "rmw"; atomic?: Atomic; tag?: Json };
type Poll = LineRef & { version: number; tag: Json; reading: boolean; pass?: Pass };

/**
 * A line that software polls among others: a loop that visits `of` lines in
 * turn, `visit` cycles of the core's own clock each, and starts over at the
 * first whenever the CPU comes back to it; this line is visited at position
 * `at`. A copy the writer invalidated is read again only when the loop comes
 * round to it (a waitset's polling pass), not at once (a core spinning on one
 * line).
 */
export type Pass = { at: number; of: number; visit: number };
type Contents = { version: number; value: Json; origin: Origin | null };

export type MemoryState = {
  view: CoreLineSnapshot;
  /** Posted stores, oldest first; the oldest is out while `storing`. */
  stores: Store[];
  storing: boolean;
  /** A read that waits for the store buffer to drain (loads that may not pass stores). */
  held: string[];
  polls: Poll[];
  /** Tags to answer once every store so far has committed. */
  fences: Json[];
  /** The version of each line this core last read or wrote. */
  seen: Record<string, number>;
  /** The contents of the write-back lines this core holds a valid copy of (the initial contents when absent). */
  values: Record<string, Contents>;
  /** The home agents on this core, and the contents of their lines. */
  homes: HomeSnapshot[];
  contents: Record<string, Contents>;
};

export interface MemoryEnv {
  machine: Machine;
  /** Cores booted in this run: 0 .. cores-1; a package's home is its lowest booted core. */
  cores: number;
  /** Where a run's lines are at time 0 (a warm ring): see Primer. */
  primer: Primer;
}

export class Memory {
  private readonly view: CoreLines;
  private readonly homes = new Map<number, HomeAgent>();
  private readonly s: MemoryState;
  /** The version of each line this core last saw (MemoryState.seen, as a Map while running). */
  private readonly seenLines: Map<string, number>;
  /** The contents of the lines homed here (MemoryState.contents, as a Map while running). */
  private readonly contents: Map<string, Contents>;
  /** The write-back lines this core holds (MemoryState.values, as a Map while running). */
  private readonly values: Map<string, Contents>;
  /** The home core of each package's memory in this run, found once. */
  private readonly homes_ = new Map<number, number>();

  constructor(
    readonly core: number,
    private readonly env: MemoryEnv,
    saved?: MemoryState,
  ) {
    this.view = saved ? CoreLines.restore(saved.view, core, env.primer) : new CoreLines(core, env.primer);
    for (const h of saved?.homes ?? []) this.homes.set(h.package, HomeAgent.restore(env.machine, h, env.primer));
    this.s = saved ?? { view: [], stores: [], storing: false, held: [], polls: [], fences: [], seen: {}, values: {}, homes: [], contents: {} };
    this.seenLines = new Map(Object.entries(this.s.seen));
    this.contents = new Map(Object.entries(this.s.contents));
    this.values = new Map(Object.entries(this.s.values));
  }

  /** The core whose package controller serves `memory`'s lines in this run. */
  homeCore(memory: number): number {
    let core = this.homes_.get(memory);
    if (core === undefined) this.homes_.set(memory, (core = homeFor(this.env.machine, memory, this.env.cores).core));
    return core;
  }

  /** A posted store; `value` is the line's new contents, for lines whose contents a reader takes. */
  store(ctx: Context, ref: LineRef, value: Json = null, op: "write" | "rmw" = "write"): void {
    this.s.stores.push({ line: ref.line, memory: ref.memory, value, op, ...(ref.cached && { cached: true }) });
    this.drain(ctx);
  }

  /**
   * A locked read-modify-write of a write-back line, in store order: it
   * answers with `tag` and the value it replaced, at once if it is the only
   * store pending and the line is held exclusively. Like a locked
   * instruction it stalls its caller, which issues nothing else until the
   * answer.
   */
  atomic(ctx: Context, ref: LineRef, op: Atomic, tag: Json): Ready | null {
    if (!ref.cached) throw new Error(`core ${this.core}: an atomic on ${ref.line}, which is not a write-back line`);
    this.s.stores.push({ line: ref.line, memory: ref.memory, value: null, op: "rmw", cached: true, atomic: op, tag });
    return this.drain(ctx).find((r) => r.tag === tag) ?? null;
  }

  /**
   * Read a write-back line: its contents at once from this core's own
   * pending store or valid copy, else when the read that fetches them
   * completes (handle() gives it back with `tag`).
   */
  load(ctx: Context, ref: LineRef, tag: Json): Ready | null {
    if (!ref.cached) throw new Error(`core ${this.core}: a load of ${ref.line}, which is not a write-back line`);
    for (let i = this.s.stores.length - 1; i >= 0; i--) {
      const st = this.s.stores[i];
      if (st.line === ref.line && !st.atomic) return { tag, value: st.value, origin: null };
    }
    return this.poll(ctx, ref, 0, tag);
  }

  /**
   * Spin on a line until it holds `version` writes or more; it comes back
   * from handle() with `tag` and what the read returned. If this core's copy
   * already holds that version the poll is ready at once, without contents:
   * contents come only with a read (a ring's slot, a flush line, read after
   * their writer's invalidation).
   */
  poll(ctx: Context, ref: LineRef, version: number, tag: Json, pass?: Pass): Ready | null {
    if (this.seen(ref.line) >= version && this.view.state(ref.line) !== "I") return { tag, value: ref.cached ? this.held(ref.line).value : null, origin: null };
    const p: Poll = { line: ref.line, memory: ref.memory, version, tag, reading: false, ...(ref.cached && { cached: true }), ...(pass && { pass }) };
    this.s.polls.push(p);
    // The first look is now, in the handler that asks (a stub polls the next slot before it returns to the loop).
    if (this.view.state(ref.line) === "I") this.read(ctx, p, this.issueAt(ctx));
    return null;
  }

  /**
   * At boot, before time 0: spin on a line this core already holds (the
   * primer gives it a copy), as a receiver polls a channel it has bound.
   */
  watch(ref: LineRef, version: number, tag: Json, pass?: Pass): void {
    if (this.view.state(ref.line) === "I") throw new Error(`core ${this.core}: ${ref.line} is watched at boot but not held: prime it`);
    this.s.polls.push({ line: ref.line, memory: ref.memory, version, tag, reading: false, ...(ref.cached && { cached: true }), ...(pass && { pass }) });
  }

  /** Answer `tag` once every store posted so far has committed: at once when none is pending. */
  fence(tag: Json): Ready | null {
    if (!this.s.stores.length) return { tag, value: null, origin: null };
    this.s.fences.push(tag);
    return null;
  }

  /** The version of a line this core last saw. */
  seen(line: string): number {
    return this.seenLines.get(line) ?? 0;
  }

  /** A hardware event of the memory system; the polls and fences it made ready. */
  handle(ctx: Context, e: SimEvent): Ready[] {
    switch (e.kind) {
      case MEM_REQUEST:
        this.serve(ctx, e.src, e.seq, e.data as Request);
        return [];
      case MEM_DONE:
        return this.completed(ctx, e.data as Done);
      case MEM_NOTICE:
        this.notice(ctx, e.data as Notice);
        return [];
      case MEM_FORWARD: {
        // The probe reached a holder of a write-back line: it answers with its contents, then changes its copy.
        const f = e.data as Forward;
        const { version, value } = this.held(f.done.line);
        this.emit(ctx, f.requester, MEM_DONE, { ...f.done, version, value }, f.at);
        if (f.notice) this.notice(ctx, f.notice);
        return [];
      }
      default:
        throw new Error(`core ${this.core}: no memory event "${e.kind}"`);
    }
  }

  /** The hottest lines of the homes on this core: transactions and their queueing. */
  stats(limit: number) {
    return [...this.homes.values()].flatMap((h) => h.stats(limit).map((l) => ({ ...l, home: h.homeCore })));
  }

  /** The write-back lines this core holds a valid copy of, with their contents (those it never changed from their initial contents left out). */
  heldLines(prefix: string): Record<string, Contents> {
    const out: Record<string, Contents> = {};
    for (const [line, c] of this.values) if (line.startsWith(prefix) && this.view.state(line) !== "I") out[line] = c;
    return out;
  }

  snapshot(): MemoryState {
    this.s.seen = Object.fromEntries(this.seenLines);
    this.s.values = Object.fromEntries(this.values);
    this.s.contents = Object.fromEntries(this.contents);
    this.s.view = this.view.toJSON();
    this.s.homes = [...this.homes.values()].map((h) => h.toJSON());
    return this.s;
  }

  /** Commit stores in order: a hit commits at once, a miss waits for its RFO. The atomics that committed on a hit. */
  private drain(ctx: Context): Ready[] {
    const s = this.s;
    const done: Ready[] = [];
    while (!s.storing && s.stores.length) {
      const st = s.stores[0];
      if (st.cached) {
        // A write-back line held exclusively: the store commits in the cache.
        if (this.view.hits(st.line, "write")) {
          s.stores.shift();
          done.push(...this.commit(st, this.held(st.line)));
          continue;
        }
      } else if (st.value === null && this.view.hits(st.line, st.op)) {
        // A store that carries contents goes to the home, hit or not, so that readers take it from there.
        s.stores.shift();
        continue;
      }
      s.storing = true;
      this.request(ctx, ctx.now, { line: st.line, memory: st.memory, op: st.op, value: st.cached ? null : st.value, ...(st.cached && { cached: true }) });
    }
    if (!s.storing) this.drained(ctx);
    return done;
  }

  /**
   * A store to a write-back line commits over contents `was`: the new
   * contents; an atomic's answer, and this core's own polls on the line that
   * the new version satisfies (no probe will come to tell them).
   */
  private commit(st: Store, was: Contents): Ready[] {
    const value = st.atomic ? atomicValue(st.atomic, was.value) : st.value;
    const version = was.version + 1;
    this.values.set(st.line, { version, value, origin: null });
    this.seenLines.set(st.line, version);
    const out: Ready[] = st.atomic ? [{ tag: st.tag ?? null, value: was.value, origin: null }] : [];
    const polls = this.s.polls;
    for (let i = polls.length - 1; i >= 0; i--) {
      const p = polls[i];
      if (p.line !== st.line || p.reading || p.version > version) continue;
      polls.splice(i, 1);
      out.push({ tag: p.tag, value, origin: null });
    }
    return out;
  }

  /** The contents of a write-back line as this core's copy holds them: the initial contents if it never took any. */
  private held(line: string): Contents {
    return this.values.get(line) ?? { version: this.seen(line), value: null, origin: null };
  }

  /** A probe changed this core's copy of a line: a poll on it reads the line again. */
  private notice(ctx: Context, n: Notice): void {
    const applied = this.view.apply(n.line, n.seq, n.state);
    if (n.state !== "I") return;
    if (applied) this.values.delete(n.line);
    for (const p of this.s.polls) if (p.line === n.line && !p.reading) this.read(ctx, p, this.lookAt(ctx, p));
  }

  /** The store buffer is empty: held reads go out. Fences are answered by completed(). */
  private drained(ctx: Context): void {
    const held = this.s.held.splice(0);
    for (const line of held) {
      const p = this.s.polls.find((q) => q.line === line && q.reading);
      if (p) this.request(ctx, this.issueAt(ctx), { line, memory: p.memory, op: "read", value: null, ...(p.cached && { cached: true }) });
    }
  }

  private read(ctx: Context, p: Poll, at: number): void {
    p.reading = true;
    if (!this.env.machine.costs.loadsPassStores && this.s.storing) this.s.held.push(p.line);
    else this.request(ctx, at, { line: p.line, memory: p.memory, op: "read", value: null, ...(p.cached && { cached: true }) });
  }

  /** A core spins on its lines only while its CPU is free: a read goes out when it is. */
  private issueAt(ctx: Context): number {
    return Math.max(ctx.now, ctx.cpuFreeAt);
  }

  /** When the poller next looks at a line it lost: at once if it spins on it, at its turn if a loop visits it among others. */
  private lookAt(ctx: Context, p: Poll): number {
    const from = this.issueAt(ctx);
    if (!p.pass) return from;
    const { at, of } = p.pass;
    const visit = this.env.machine.time(this.core, p.pass.visit);
    // The loop (re)started from its first line when the CPU last became free.
    const first = ctx.cpuFreeAt + at * visit;
    const period = of * visit;
    if (first >= from || period === 0) return Math.max(first, from);
    return first + Math.ceil((from - first) / period) * period;
  }

  private request(ctx: Context, issue: number, req: Request): void {
    const home = this.homeCore(req.memory);
    const arrival = interconnectOf(this.env.machine).requestArrival(this.core, this.env.machine.corePackage[home], issue);
    this.emit(ctx, home, MEM_REQUEST, req, arrival);
  }

  /** At the home: serialise the request, and answer its requester and every core whose copy it changed. */
  private serve(ctx: Context, requester: number, seq: number, req: Request): void {
    const m = this.env.machine;
    let agent = this.homes.get(req.memory);
    if (!agent) {
      const h = homeFor(m, req.memory, this.env.cores);
      if (h.core !== this.core) throw new Error(`core ${this.core}: a request for ${req.line} belongs to the home on core ${h.core}`);
      this.homes.set(req.memory, (agent = new HomeAgent(m, h.package, h.core, this.env.primer)));
    }
    if (req.cached) return this.serveWriteBack(ctx, agent, requester, req);
    const tx = agent.request(ctx.now, { requester, line: req.line, op: req.op });
    let c = this.contents.get(req.line);
    if (!c) this.contents.set(req.line, (c = { version: 0, value: null, origin: null }));
    if (req.op !== "read") {
      c.version++;
      if (req.value !== null) {
        c.value = req.value;
        c.origin = [requester, seq];
      }
    }
    const done: Done = { line: req.line, memory: req.memory, op: req.op, seq: tx.seq, state: tx.granted, version: c.version, value: req.op === "read" ? c.value : null, origin: req.op === "read" ? c.origin : null };
    this.emit(ctx, requester, MEM_DONE, done, tx.complete);
    for (const n of tx.notices) this.emit(ctx, n.core, MEM_NOTICE, { line: req.line, seq: tx.seq, state: n.state }, n.at);
    ctx.annotate(`${req.op} ${req.line}`, tx.arrival, tx.complete, { requester, home: this.core, wait: tx.wait, service: tx.complete - tx.serviced, supplier: tx.supplier });
  }

  /**
   * At the home, a write-back line's transaction: its data comes from a core
   * that holds a valid copy, forwarded with the probe that reaches it (or,
   * holding none, with a copy read now); from the home's memory when no cache
   * holds the line; from nowhere when the requester holds it already.
   */
  private serveWriteBack(ctx: Context, agent: HomeAgent, requester: number, req: Request): void {
    const before = agent.holders(req.line);
    const tx = agent.request(ctx.now, { requester, line: req.line, op: req.op });
    const done: Done = { line: req.line, memory: req.memory, op: req.op, seq: tx.seq, state: tx.granted, version: 0, value: null, origin: null, cached: true };
    const others = before.filter(([c]) => c !== requester);
    let via: number | null = null;
    if (others.length < before.length) done.own = true;
    else if (others.length) {
      const supplier = typeof tx.supplier === "number" ? tx.supplier : undefined;
      via = supplier ?? (others.find(([, st]) => st !== "S") ?? others[0])[0];
    } else {
      const c = this.contents.get(req.line);
      if (c) Object.assign(done, { version: c.version, value: c.value });
    }
    const notice = (n: { core: number; state: "O" | "S" | "I" }): Notice => ({ line: req.line, seq: tx.seq, state: n.state });
    if (via === null) this.emit(ctx, requester, MEM_DONE, done, tx.complete);
    else {
      // The probe reaches the holder as a home's answer, and the holder answers the requester as a cache would: each no sooner than the line model's answer lag.
      const net = interconnectOf(this.env.machine);
      const pkg = this.env.machine.corePackage;
      const n = tx.notices.find((x) => x.core === via);
      const at = n ? n.at : tx.serviced + net.lags(pkg[this.core], pkg[via]).answer;
      const answered = at + net.lags(pkg[via], pkg[requester]).answer;
      this.emit(ctx, via, MEM_FORWARD, { done, requester, at: Math.max(tx.complete, answered), notice: n ? notice(n) : null } satisfies Forward, at);
    }
    for (const n of tx.notices) if (n.core !== via) this.emit(ctx, n.core, MEM_NOTICE, notice(n), n.at);
    ctx.annotate(`${req.op} ${req.line}`, tx.arrival, tx.complete, { requester, home: this.core, wait: tx.wait, service: tx.complete - tx.serviced, supplier: tx.supplier });
  }

  /** At the requester: a transaction is done. */
  private completed(ctx: Context, d: Done): Ready[] {
    const s = this.s;
    const applied = this.view.apply(d.line, d.seq, d.state);
    if (d.version > this.seen(d.line)) this.seenLines.set(d.line, d.version);
    if (d.op !== "read") {
      const st = s.stores.shift()!;
      s.storing = false;
      const done: Ready[] = [];
      if (d.cached) {
        done.push(...this.commit(st, d.own ? this.held(d.line) : { version: d.version, value: d.value, origin: null }));
      }
      done.push(...this.drain(ctx));
      if (!s.stores.length) done.push(...s.fences.splice(0).map((tag) => ({ tag, value: null, origin: null })));
      return done;
    }
    // A write-back line the requester already held: its own copy is the current one.
    const got = d.cached && d.own ? this.held(d.line) : { version: d.version, value: d.value, origin: d.origin };
    if (d.cached && applied) this.values.set(d.line, { ...got, origin: null });
    const i = s.polls.findIndex((p) => p.line === d.line && p.reading);
    if (i < 0) return [];
    const p = s.polls[i];
    p.reading = false;
    if (got.version >= p.version) {
      s.polls.splice(i, 1);
      return [{ tag: p.tag, value: got.value, origin: got.origin }];
    }
    // An older version: spin on the copy, or read again if a probe already took it.
    if (this.view.state(d.line) === "I") this.read(ctx, p, this.lookAt(ctx, p));
    return [];
  }

  /** A memory-system event at time `at` for `core` (this one included). */
  private emit(ctx: Context, core: number, kind: string, data: Json, at: number): void {
    const delay = at - ctx.now;
    if (core === this.core) ctx.after(delay, kind, data, EventClass.Hardware);
    else ctx.send(core, kind, data, delay, EventClass.Hardware);
  }
}

/** What a locked read-modify-write leaves in a line that held `was`. */
function atomicValue(op: Atomic, was: Json): Json {
  if ("xchg" in op) return op.xchg;
  if ("add" in op) return Number(was ?? 0) + op.add;
  return was === null ? op.max : Math.max(Number(was), op.max);
}
