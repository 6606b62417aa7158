// Message conservation, checked on every simulation: each message a core
// sends to another is delivered exactly once, and the messages of a channel
// (one source core to one destination core) in the order they were sent. A
// source numbers its messages in the order it sends them, so a destination
// sees a channel's messages with rising sequence numbers; a number at or
// below the last one delivered is a message delivered twice or out of order.
// At the end, every channel has delivered as many messages as its source
// sent. A transport that loses, repeats or reorders a message (an object
// restarted mid-window, a delivery retried) fails the simulation, naming the
// channel, instead of changing its result.

export class ConservationError extends Error {
  constructor(message: string) {
    super(`message conservation: ${message}`);
    this.name = "ConservationError";
  }
}

/** One core's channels as stored: messages sent to each destination; delivered from each source, with the last one's sequence number. */
export interface ChannelState {
  sent: Record<number, number>;
  received: Record<number, [count: number, lastSeq: number]>;
}

/** A core's channel counts as it reports them: flat (peer, count) pairs. */
export interface ChannelCounts {
  sent: number[];
  received: number[];
}

export const channelName = (src: number, dst: number): string => `channel ${src} -> ${dst}`;

export class Channels {
  constructor(
    private readonly core: number,
    private readonly s: ChannelState = { sent: {}, received: {} },
  ) {}

  sent(dst: number): void {
    this.s.sent[dst] = (this.s.sent[dst] ?? 0) + 1;
  }

  /** Whether the channel from `src` is past `seq`: the message was delivered already. */
  delivered(src: number, seq: number): boolean {
    const r = this.s.received[src];
    return r !== undefined && seq <= r[1];
  }

  receive(src: number, seq: number): void {
    const r = this.s.received[src];
    if (r && seq <= r[1]) throw new ConservationError(`${channelName(src, this.core)}: message ${seq} arrived after message ${r[1]}: delivered twice, or out of order`);
    this.s.received[src] = [(r?.[0] ?? 0) + 1, seq];
  }

  state(): ChannelState {
    return this.s;
  }

  counts(): ChannelCounts {
    return {
      sent: Object.entries(this.s.sent).flatMap(([dst, n]) => [Number(dst), n]),
      received: Object.entries(this.s.received).flatMap(([src, [n]]) => [Number(src), n]),
    };
  }
}

/** Every channel delivered exactly what its source sent; else the lowest channel that did not, named. */
export function checkConservation(cores: { core: number; channels: ChannelCounts }[]): void {
  const bad: { src: number; dst: number; sent: number; delivered: number }[] = [];
  const sent = new Map<number, Map<number, number>>();
  for (const { core, channels } of cores) {
    const out = new Map<number, number>();
    for (let i = 0; i < channels.sent.length; i += 2) out.set(channels.sent[i], channels.sent[i + 1]);
    sent.set(core, out);
  }
  for (const { core: dst, channels } of cores) {
    for (let i = 0; i < channels.received.length; i += 2) {
      const src = channels.received[i];
      const delivered = channels.received[i + 1];
      const n = sent.get(src)?.get(dst) ?? 0;
      sent.get(src)?.delete(dst);
      if (n !== delivered) bad.push({ src, dst, sent: n, delivered });
    }
  }
  for (const [src, out] of sent) for (const [dst, n] of out) bad.push({ src, dst, sent: n, delivered: 0 });
  if (!bad.length) return;
  const { src, dst, sent: n, delivered } = bad.sort((a, b) => a.src - b.src || a.dst - b.dst)[0];
  throw new ConservationError(`${channelName(src, dst)}: ${n} messages sent, ${delivered} delivered`);
}
