// Events on virtual time. Every core's queue is ordered by the total key
// (arrival time, event class, source core, source sequence number), so the
// same inputs give the same order on any host whatever order the real
// deliveries happened in.

import type { Json } from "../json.ts";

export type { Json };

/**
 * Ties at one arrival time: control before interrupts before messages before
 * timers. Hardware events are the memory system's (a line's home agent, a
 * probe): they do not run on the core's CPU, so they are handled at their own
 * time even while the CPU is busy, and before a CPU handler that starts at or
 * after it.
 */
export const EventClass = {
  Control: 0,
  Interrupt: 1,
  Message: 2,
  Timer: 3,
  Hardware: 4,
} as const;
export type EventClass = (typeof EventClass)[keyof typeof EventClass];

export interface SimEvent {
  /** Arrival time in cycles. */
  time: number;
  cls: EventClass;
  /** Source core; -1 for events injected by the engine (boot, workload start). */
  src: number;
  /** Per-source sequence number. */
  seq: number;
  kind: string;
  data: Json;
}

export function before(a: SimEvent, b: SimEvent): boolean {
  if (a.time !== b.time) return a.time < b.time;
  if (a.cls !== b.cls) return a.cls < b.cls;
  if (a.src !== b.src) return a.src < b.src;
  return a.seq < b.seq;
}
