// URPC channels between this core and its peers, as in the paper and
// Barrelfish's UMP: a channel is two rings of one-cache-line slots, one per
// direction, in the memory of the core that bound it; each ring is written
// only by its sender and read only by its receiver, which polls the next
// slot. Every message carries its position in the ring and, piggybacked, the
// last position received on the reverse ring. The sender may have at most
// `slots` positions unacknowledged; past that, sends wait in the binding's
// queue until an ack frees a slot (nothing is lost). A receiver that falls
// slots-1 positions behind on acks writes an explicit ack, which takes a
// slot like any message.
//
// Nothing here is priced by formula: a send is the sender's work (URPC_SEND)
// and a posted store of the slot's line; the message reaches the receiver
// when its poll reads the line after the sender's write invalidated its copy,
// on the cache-line model (src/memory). A broadcast channel is one ring that
// every receiver polls: its readers queue at the line's home one after
// another.
//
// Two ways to be served (Dispatch). A benchmark such as ump_bench spins on
// its ring with raw UMP. Barrelfish's monitors are bound to every other
// monitor and run Flounder's stubs: the waitset's polling loop visits each of
// the N-1 bindings in turn, so a slot the sender wrote is read when the loop
// comes round to it; each message costs its stubs on both sides; after a
// message the receive stub polls the next slot at once.
import { URPC_RECEIVE, URPC_SEND } from "../hwmodel/index.ts";
import type { FlounderCosts } from "./flounder.ts";
import type { Context, Json } from "../engine/index.ts";
import type { LineState } from "../hwmodel/index.ts";
import type { LineRef, Memory, Pass, Ready } from "../memory/index.ts";

/**
 * "raw": UMP with no stubs, each ring spun on directly (ump_bench).
 * "flounder": Flounder's stubs and a waitset polling a binding to every other core (Barrelfish's monitors).
 */
export type Dispatch = "raw" | "flounder";

export type ChannelStats = {
  sent: number;
  received: number;
  stalls: number;
  explicitAcks: number;
};

type TxRing = {
  /** Positions written. */
  pos: number;
  /** Positions the peer has consumed (its last ack). */
  acked: number;
  /** Messages (and explicit acks) waiting for a free slot; those before `head` have gone. */
  queued: { data: boolean; body: Json }[];
  head: number;
};

type RxRing = {
  /** Positions consumed. */
  pos: number;
  /** The last position we acknowledged to the sender. */
  acked: number;
};

export type UrpcState = {
  tx: Record<string, TxRing>;
  rx: Record<string, RxRing>;
  /** Positions written on this core's broadcast ring, and consumed of each broadcast ring it reads, by root. */
  bcastTx: number;
  bcastRx: Record<string, number>;
  /** Rings that moved on in the handler under way and must be polled at its next slot. */
  repoll: string[];
  stats: ChannelStats;
};

export const URPC_KIND = "urpc";
export const BROADCAST_KIND = "urpc-bcast";

/** A slot's contents: its position, the reverse ring's last position received, and the body (null for an explicit ack). */
export type UrpcMessage = { pos: number; ack: number; data: boolean; body: Json };

/** What a poll carries back to the core when a slot holds the message it waits for. */
export type RingTag = { ring: "p2p" | "bcast"; peer: number };

/** A channel between two cores, and the package whose memory holds both its rings. */
export type ChannelSpec = { a: number; b: number; memory: number };

/** A broadcast channel: one ring from `root`, read by every receiver. */
export type BroadcastSpec = { root: number; receivers: number[]; memory: number };

export const ringLine = (from: number, to: number, slot: number): string => `urpc ${from}>${to}:${slot}`;
export const broadcastLine = (root: number, slot: number): string => `bcast ${root}:${slot}`;

/**
 * A run's channels, and each core's view of them: the memory of every ring
 * it writes or reads. Every ring is warm at time 0, as after its first lap:
 * each slot owned by its writer (O) and held by its readers (S).
 */
export class ChannelTable {
  private readonly p2p = new Map<string, number>();
  private readonly bcast = new Map<number, BroadcastSpec>();
  private readonly readsBcast = new Map<number, number[]>();
  /** Each core's peers, found once. */
  private byCore: Map<number, number[]> | null = null;
  /** Holders at time 0, by line: asked on every access to a line no transaction has touched yet. */
  private readonly primed = new Map<string, [number, LineState][]>();

  constructor(
    /** The cores of the run: 0 .. cores-1. */
    readonly cores: number,
    channels: readonly ChannelSpec[],
    broadcasts: readonly BroadcastSpec[],
    readonly slots: number,
  ) {
    for (const c of channels) {
      if (c.a === c.b) throw new RangeError(`a channel joins two cores, not core ${c.a} to itself`);
      const key = pairKey(c.a, c.b);
      if (!this.p2p.has(key)) this.p2p.set(key, c.memory);
    }
    for (const b of broadcasts) {
      this.bcast.set(b.root, b);
      for (const r of b.receivers) {
        const list = this.readsBcast.get(r);
        if (list) list.push(b.root);
        else this.readsBcast.set(r, [b.root]);
      }
    }
  }

  /** The memory of the channel between a and b. */
  memory(a: number, b: number): number {
    const m = this.p2p.get(pairKey(a, b));
    if (m === undefined) throw new Error(`no URPC channel between cores ${a} and ${b}: the run did not set one up`);
    return m;
  }

  /** The cores `core` has a channel with, ascending. */
  peers(core: number): number[] {
    if (!this.byCore) {
      this.byCore = new Map();
      for (const key of this.p2p.keys()) {
        const [a, b] = key.split("-").map(Number);
        for (const [x, y] of [[a, b], [b, a]]) {
          const list = this.byCore.get(x);
          if (list) list.push(y);
          else this.byCore.set(x, [y]);
        }
      }
      for (const list of this.byCore.values()) list.sort((x, y) => x - y);
    }
    return this.byCore.get(core) ?? [];
  }

  broadcastFrom(root: number): BroadcastSpec | undefined {
    return this.bcast.get(root);
  }

  /** The broadcast rings a core reads, by root. */
  broadcastsTo(core: number): number[] {
    return this.readsBcast.get(core) ?? [];
  }

  /** Who holds a ring's slot at time 0: its writer owns it, its readers share it. */
  holders(line: string): [number, LineState][] {
    let h = this.primed.get(line);
    if (!h) this.primed.set(line, (h = this.warm(line)));
    return h;
  }

  private warm(line: string): [number, LineState][] {
    const p = /^urpc (\d+)>(\d+):\d+$/.exec(line);
    if (p) return [[Number(p[1]), "O"], [Number(p[2]), "S"]];
    const b = /^bcast (\d+):\d+$/.exec(line);
    if (b) {
      const spec = this.bcast.get(Number(b[1]));
      if (spec) return [[spec.root, "O"], ...spec.receivers.map((r): [number, LineState] => [r, "S"])];
    }
    return [];
  }
}

const pairKey = (a: number, b: number): string => (a < b ? `${a}-${b}` : `${b}-${a}`);

export class UrpcChannels {
  private readonly s: UrpcState;

  constructor(
    private readonly core: number,
    private readonly memory: Memory,
    private readonly channels: ChannelTable,
    /** Flounder's costs when the channels are served through its stubs and a waitset; null: raw UMP. */
    private readonly flounder: FlounderCosts | null,
    state?: UrpcState,
  ) {
    if (state) {
      this.s = state;
      return;
    }
    this.s = { tx: {}, rx: {}, bcastTx: 0, bcastRx: {}, repoll: [], stats: { sent: 0, received: 0, stalls: 0, explicitAcks: 0 } };
    // Bound before time 0: the receiver of every ring already polls its first slot.
    for (const peer of channels.peers(core)) this.memory.watch(this.rxSlot(peer, 0), 1, tag("p2p", peer), this.pass("p2p", peer));
    for (const root of channels.broadcastsTo(core)) this.memory.watch(this.bcastSlot(root, 0), 1, tag("bcast", root), this.pass("bcast", root));
  }

  get stats(): ChannelStats {
    return this.s.stats;
  }

  /** Send `body` to core `dst`; queued if the ring is full. */
  send(ctx: Context, dst: number, body: Json): void {
    this.post(ctx, dst, true, body);
  }

  /** One message on this core's broadcast channel: one write of one line, which every receiver reads. */
  broadcast(ctx: Context, body: Json): void {
    const spec = this.channels.broadcastFrom(this.core);
    if (!spec) throw new Error(`core ${this.core} has no broadcast channel`);
    ctx.charge(URPC_SEND + (this.flounder?.send ?? 0));
    const pos = this.s.bcastTx++;
    const m: UrpcMessage = { pos, ack: 0, data: true, body };
    this.memory.store(ctx, { line: broadcastLine(this.core, pos % this.channels.slots), memory: spec.memory }, m);
    this.s.stats.sent += spec.receivers.length;
  }

  /** A poll this core's channels set up became ready: the slot holds the next message. The event that takes it to the CPU. */
  arrived(ready: Ready): { kind: string; src: number; seq: number; data: UrpcMessage } | null {
    const t = ready.tag as RingTag | null;
    if (!t || (t.ring !== "p2p" && t.ring !== "bcast") || !ready.origin) return null;
    return { kind: t.ring === "p2p" ? URPC_KIND : BROADCAST_KIND, src: ready.origin[0], seq: ready.origin[1], data: ready.value as UrpcMessage };
  }

  /**
   * Take a message that arrived from `src` off its ring: its body, or
   * undefined for an explicit ack. Acks free slots and release queued sends.
   */
  receive(ctx: Context, src: number, kind: string, m: UrpcMessage): Json | undefined {
    // An explicit ack is the channel's own, below the stubs.
    ctx.charge(URPC_RECEIVE + (m.data ? (this.flounder?.receive ?? 0) : 0));
    if (kind === BROADCAST_KIND) {
      const pos = this.s.bcastRx[src] ?? 0;
      if (m.pos !== pos) throw new Error(`core ${this.core}: broadcast from ${src} out of order: got ${m.pos}, expected ${pos}`);
      this.s.bcastRx[src] = pos + 1;
      this.s.repoll.push(`b${src}`);
      this.s.stats.received++;
      return m.body;
    }
    const rx = this.rx(src);
    if (m.pos !== rx.pos) throw new Error(`core ${this.core}: URPC from ${src} out of order: got position ${m.pos}, expected ${rx.pos}`);
    rx.pos++;
    this.s.repoll.push(`p${src}`);
    if (m.data) this.s.stats.received++;
    const tx = this.tx(src);
    if (m.ack > tx.acked) {
      tx.acked = m.ack;
      while (tx.head < tx.queued.length && tx.pos - tx.acked < this.channels.slots) {
        const q = tx.queued[tx.head++];
        this.write(ctx, src, tx, q.data, q.body);
      }
      if (tx.head === tx.queued.length) {
        tx.queued = [];
        tx.head = 0;
      }
    }
    if (m.data && rx.pos - rx.acked >= this.channels.slots - 1) {
      this.s.stats.explicitAcks++;
      this.post(ctx, src, false, null);
    }
    return m.data ? m.body : undefined;
  }

  /** At the end of a handler: every ring that moved on is polled at its next slot. Returns polls already ready. */
  settle(ctx: Context): Ready[] {
    const ready: Ready[] = [];
    for (const ring of this.s.repoll.splice(0)) {
      const peer = Number(ring.slice(1));
      const r =
        ring[0] === "p"
          ? this.memory.poll(ctx, this.rxSlot(peer, this.rx(peer).pos), this.lap(this.rx(peer).pos), tag("p2p", peer), this.pass("p2p", peer))
          : this.memory.poll(ctx, this.bcastSlot(peer, this.s.bcastRx[peer]), this.lap(this.s.bcastRx[peer]), tag("bcast", peer), this.pass("bcast", peer));
      if (r) ready.push(r);
    }
    return ready;
  }

  snapshot(): UrpcState {
    return this.s;
  }

  /** Channel summary per peer: what the API shows of a core. */
  summary(): { peer: number; sent: number; received: number; unacked: number; queued: number }[] {
    return this.channels.peers(this.core).map((peer) => {
      const tx = this.s.tx[peer];
      return { peer, sent: tx?.pos ?? 0, received: this.s.rx[peer]?.pos ?? 0, unacked: tx ? tx.pos - tx.acked : 0, queued: tx ? tx.queued.length - tx.head : 0 };
    });
  }

  /** Write the next slot, or wait in the queue while the ring is full. */
  private post(ctx: Context, dst: number, data: boolean, body: Json): void {
    const tx = this.tx(dst);
    if (tx.head < tx.queued.length || tx.pos - tx.acked >= this.channels.slots) {
      tx.queued.push({ data, body });
      if (data) this.s.stats.stalls++;
      return;
    }
    this.write(ctx, dst, tx, data, body);
  }

  /** Write the next slot: the sender's work, then a posted store of the slot's line. */
  private write(ctx: Context, dst: number, tx: TxRing, data: boolean, body: Json): void {
    ctx.charge(URPC_SEND + (data ? (this.flounder?.send ?? 0) : 0));
    const rx = this.rx(dst);
    const m: UrpcMessage = { pos: tx.pos, ack: rx.pos, data, body };
    rx.acked = rx.pos;
    this.memory.store(ctx, { line: ringLine(this.core, dst, tx.pos % this.channels.slots), memory: this.channels.memory(this.core, dst) }, m);
    tx.pos++;
    if (data) this.s.stats.sent++;
  }

  /**
   * Where the waitset's polling loop visits a ring: the bindings to every
   * other core in core order, then the broadcast rings this core reads.
   */
  private pass(ring: RingTag["ring"], peer: number): Pass | undefined {
    if (!this.flounder) return undefined;
    const others = this.channels.cores - 1;
    const of = others + this.channels.broadcastsTo(this.core).length;
    const at = ring === "p2p" ? (peer < this.core ? peer : peer - 1) : others + this.channels.broadcastsTo(this.core).indexOf(peer);
    return { at, of, visit: this.flounder.visit };
  }

  /** The slot of the ring from `peer` that holds position `pos`. */
  private rxSlot(peer: number, pos: number): LineRef {
    return { line: ringLine(peer, this.core, pos % this.channels.slots), memory: this.channels.memory(peer, this.core) };
  }

  private bcastSlot(root: number, pos: number): LineRef {
    return { line: broadcastLine(root, pos % this.channels.slots), memory: this.channels.broadcastFrom(root)!.memory };
  }

  /** A slot holds position `pos` once it has been written lap(pos) times. */
  private lap(pos: number): number {
    return Math.floor(pos / this.channels.slots) + 1;
  }

  private tx(peer: number): TxRing {
    return (this.s.tx[peer] ??= { pos: 0, acked: 0, queued: [], head: 0 });
  }

  private rx(peer: number): RxRing {
    return (this.s.rx[peer] ??= { pos: 0, acked: 0 });
  }
}

const tag = (ring: RingTag["ring"], peer: number): RingTag => ({ ring, peer });
