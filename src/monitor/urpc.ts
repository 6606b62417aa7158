// URPC channels between this core and its peers, as in the paper: a ring of
// cache-line slots per direction, written only by the sender and read only by
// the polling receiver. Every message carries its sequence number and,
// piggybacked, the last sequence number received on the reverse channel. The
// sender may have at most `slots` messages unacknowledged; past that, sends
// wait in the binding's queue until an ack frees a slot (nothing is lost). A
// receiver that falls slots-1 messages behind on acks sends an explicit one.
//
// Costs come from the cost model: the sender is busy for the payload and
// header writes and the invalidation, the line then reaches the receiver
// after a further transfer, and a stream of messages on one ring delivers at
// most one message per ring occupancy.
import type { CostModel } from "../hwmodel/index.ts";
import type { Context, Json } from "../engine/index.ts";

export type ChannelStats = {
  sent: number;
  received: number;
  stalls: number;
  explicitAcks: number;
};

type TxRing = {
  /** Sequence number of the last message sent. */
  seq: number;
  /** Last sequence number the peer has acknowledged. */
  acked: number;
  /** Arrival time of the last message, for the ring's occupancy; null before the first. */
  lastArrival: number | null;
  /** Messages waiting for a free slot, with their ring's home; those before `head` have gone. */
  queued: [Json, RingHome][];
  head: number;
};

type RxRing = {
  /** Last sequence number received. */
  seq: number;
  /** Last sequence number we have acknowledged to the sender. */
  acked: number;
};

export type UrpcState = {
  slots: number;
  tx: Record<string, TxRing>;
  rx: Record<string, RxRing>;
  stats: ChannelStats;
};

export const URPC_KIND = "urpc";
export const URPC_ACK_KIND = "urpc-ack";
export const BROADCAST_KIND = "urpc-bcast";

/**
 * Where a channel's ring lives. Table 2 is measured with the ring in the
 * receiver's memory; a ring in the sender's memory makes a receiver in
 * another package fetch every slot from remote memory first.
 */
export type RingHome = "receiver" | "sender";

/** A slot's contents; `remote` marks a slot whose home memory is in another package than the receiver. */
export type UrpcMessage = { seq: number; ack: number; body: Json } | { seq: number; ack: number; body: Json; remote: 1 };

/** What a message to one peer costs; derived from the cost model, so not part of the persisted state. */
interface PeerCosts {
  send: number;
  wire: number;
  /** The line's transfer from the peer to this core, when a slot must come from the peer's memory. */
  fetch: number;
  occupancy: number;
  samePackage: boolean;
}

export class UrpcChannels {
  private readonly s: UrpcState;
  /** By peer core id (a sparse array: a core talks to few peers). */
  private readonly peers: PeerCosts[] = [];

  constructor(
    private readonly core: number,
    private readonly cost: CostModel,
    slots: number,
    state?: UrpcState,
  ) {
    this.s = state ?? { slots, tx: {}, rx: {}, stats: { sent: 0, received: 0, stalls: 0, explicitAcks: 0 } };
  }

  get stats(): ChannelStats {
    return this.s.stats;
  }

  /** Send `body` to core `dst`; queued if the ring is full. */
  send(ctx: Context, dst: number, body: Json, home: RingHome = "receiver"): void {
    const tx = this.tx(dst);
    if (tx.head < tx.queued.length || tx.seq - tx.acked >= this.s.slots) {
      tx.queued.push([body, home]);
      this.s.stats.stalls++;
      return;
    }
    this.transmit(ctx, dst, tx, URPC_KIND, body, home);
  }

  /**
   * One message on a shared channel that every core in `dsts` reads: one
   * write, then each reader fetches the same line from this core's cache,
   * one after another (each fetch a round trip to the owner), nearest first.
   * The ring sits in this core's memory.
   */
  broadcast(ctx: Context, dsts: number[], body: Json): void {
    const me = this.core;
    const order = [...dsts].sort((a, b) => this.cost.line(me, a) - this.cost.line(me, b) || a - b);
    ctx.charge(this.cost.urpcSend(me, order[order.length - 1]));
    let prev: number | null = null;
    for (const d of order) {
      const wired = ctx.now + this.cost.urpcWire(me, d);
      const arrival: number = prev === null ? wired : Math.max(wired, prev + 2 * this.cost.urpcWire(me, d));
      prev = arrival;
      this.s.stats.sent++;
      ctx.send(d, BROADCAST_KIND, this.message(0, 0, body, d, "sender"), arrival - ctx.now);
    }
  }

  /**
   * Take a message that arrived from `src`: returns its body, or undefined
   * for an explicit ack. Acks free slots and release queued sends.
   */
  receive(ctx: Context, src: number, kind: string, m: UrpcMessage): Json | undefined {
    ctx.charge(this.cost.urpcReceive() + ("remote" in m ? this.peer(src).fetch : 0));
    if (kind === BROADCAST_KIND) {
      this.s.stats.received++;
      return m.body;
    }
    const rx = this.rx(src);
    if (kind === URPC_KIND) {
      if (m.seq !== rx.seq + 1) throw new Error(`core ${this.core}: URPC from ${src} out of order: got ${m.seq}, expected ${rx.seq + 1}`);
      rx.seq = m.seq;
      this.s.stats.received++;
    }
    const tx = this.tx(src);
    if (m.ack > tx.acked) {
      tx.acked = m.ack;
      while (tx.head < tx.queued.length && tx.seq - tx.acked < this.s.slots) {
        const [body, home] = tx.queued[tx.head++];
        this.transmit(ctx, src, tx, URPC_KIND, body, home);
      }
      if (tx.head === tx.queued.length) {
        tx.queued = [];
        tx.head = 0;
      }
    }
    if (kind === URPC_KIND && rx.seq - rx.acked >= this.s.slots - 1) {
      this.s.stats.explicitAcks++;
      this.transmit(ctx, src, tx, URPC_ACK_KIND, null, "receiver");
    }
    return kind === URPC_KIND ? m.body : undefined;
  }

  snapshot(): UrpcState {
    return this.s;
  }

  /** Channel summary per peer: what the API shows of a core. */
  summary(): { peer: number; sent: number; received: number; unacked: number; queued: number }[] {
    const peers = new Set([...Object.keys(this.s.tx), ...Object.keys(this.s.rx)].map(Number));
    return [...peers]
      .sort((a, b) => a - b)
      .map((peer) => {
        const tx = this.s.tx[peer];
        return { peer, sent: tx?.seq ?? 0, received: this.s.rx[peer]?.seq ?? 0, unacked: tx ? tx.seq - tx.acked : 0, queued: tx ? tx.queued.length - tx.head : 0 };
      });
  }

  private transmit(ctx: Context, dst: number, tx: TxRing, kind: string, body: Json, home: RingHome): void {
    const p = this.peer(dst);
    ctx.charge(p.send);
    const wired = ctx.now + p.wire;
    const arrival = tx.lastArrival === null ? wired : Math.max(wired, tx.lastArrival + p.occupancy);
    tx.lastArrival = arrival;
    if (kind === URPC_KIND) {
      tx.seq++;
      this.s.stats.sent++;
    }
    const rx = this.rx(dst);
    rx.acked = rx.seq;
    ctx.send(dst, kind, this.message(tx.seq, rx.seq, body, dst, home), arrival - ctx.now);
  }

  private message(seq: number, ack: number, body: Json, dst: number, home: RingHome): UrpcMessage {
    return home === "sender" && !this.peer(dst).samePackage ? { seq, ack, body, remote: 1 } : { seq, ack, body };
  }

  private peer(core: number): PeerCosts {
    let p = this.peers[core];
    if (!p) {
      const c = this.cost;
      const m = c.machine;
      p = {
        send: c.urpcSend(this.core, core),
        wire: c.urpcWire(this.core, core),
        fetch: c.urpcWire(core, this.core),
        occupancy: c.urpcOccupancy(this.core, core),
        samePackage: m.corePackage[core] === m.corePackage[this.core],
      };
      this.peers[core] = p;
    }
    return p;
  }

  private tx(peer: number): TxRing {
    return (this.s.tx[peer] ??= { seq: 0, acked: 0, lastArrival: null, queued: [], head: 0 });
  }

  private rx(peer: number): RxRing {
    return (this.s.rx[peer] ??= { seq: 0, acked: 0 });
  }
}
