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

export interface ChannelStats {
  sent: number;
  received: number;
  stalls: number;
  explicitAcks: number;
}

interface TxRing {
  /** Sequence number of the last message sent. */
  seq: number;
  /** Last sequence number the peer has acknowledged. */
  acked: number;
  /** Arrival time of the last message, for the ring's occupancy. */
  lastArrival: number;
  /** Messages waiting for a free slot. */
  queued: Json[];
}

interface RxRing {
  /** Last sequence number received. */
  seq: number;
  /** Last sequence number we have acknowledged to the sender. */
  acked: number;
}

export interface UrpcState {
  slots: number;
  tx: Record<string, TxRing>;
  rx: Record<string, RxRing>;
  stats: ChannelStats;
}

export const URPC_KIND = "urpc";
export const URPC_ACK_KIND = "urpc-ack";

export interface UrpcMessage {
  seq: number;
  ack: number;
  body: Json;
}

export class UrpcChannels {
  private readonly s: UrpcState;

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
  send(ctx: Context, dst: number, body: Json): void {
    const tx = this.tx(dst);
    if (tx.queued.length || tx.seq - tx.acked >= this.s.slots) {
      tx.queued.push(body);
      this.s.stats.stalls++;
      return;
    }
    this.transmit(ctx, dst, tx, URPC_KIND, body);
  }

  /**
   * Take a message that arrived from `src`: returns its body, or undefined
   * for an explicit ack. Acks free slots and release queued sends.
   */
  receive(ctx: Context, src: number, kind: string, m: UrpcMessage): Json | undefined {
    ctx.charge(this.cost.urpcReceive());
    const rx = this.rx(src);
    if (kind === URPC_KIND) {
      if (m.seq !== rx.seq + 1) throw new Error(`core ${this.core}: URPC from ${src} out of order: got ${m.seq}, expected ${rx.seq + 1}`);
      rx.seq = m.seq;
      this.s.stats.received++;
    }
    const tx = this.tx(src);
    if (m.ack > tx.acked) {
      tx.acked = m.ack;
      while (tx.queued.length && tx.seq - tx.acked < this.s.slots) this.transmit(ctx, src, tx, URPC_KIND, tx.queued.shift()!);
    }
    if (kind === URPC_KIND && rx.seq - rx.acked >= this.s.slots - 1) {
      this.s.stats.explicitAcks++;
      this.transmit(ctx, src, tx, URPC_ACK_KIND, null);
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
        return { peer, sent: tx?.seq ?? 0, received: this.s.rx[peer]?.seq ?? 0, unacked: tx ? tx.seq - tx.acked : 0, queued: tx?.queued.length ?? 0 };
      });
  }

  private transmit(ctx: Context, dst: number, tx: TxRing, kind: string, body: Json): void {
    ctx.charge(this.cost.urpcSend(this.core, dst));
    const arrival = Math.max(ctx.now + this.cost.urpcWire(this.core, dst), tx.lastArrival + this.cost.urpcOccupancy(this.core, dst));
    tx.lastArrival = arrival;
    if (kind === URPC_KIND) {
      tx.seq++;
      this.s.stats.sent++;
    }
    const rx = this.rx(dst);
    rx.acked = rx.seq;
    ctx.send(dst, kind, { seq: tx.seq, ack: rx.seq, body }, arrival - ctx.now);
  }

  private tx(peer: number): TxRing {
    return (this.s.tx[peer] ??= { seq: 0, acked: 0, lastArrival: 0, queued: [] });
  }

  private rx(peer: number): RxRing {
    return (this.s.rx[peer] ??= { seq: 0, acked: 0 });
  }
}
