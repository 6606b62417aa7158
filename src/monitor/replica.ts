// The monitor's replica of global OS state: which capabilities exist and
// which core owns each, and which pages are mapped. Replicas share nothing;
// they change only when an agreement protocol's message tells them to, so
// after a protocol completes every replica holds the same state.
import { checkRetype, retypeChildren, type CapType, type Capability } from "../cpudriver/index.ts";

export interface ReplicaCap extends Capability {
  id: number;
  owner: number;
  /** The operation holding this capability locked between prepare and commit. */
  lockedBy: string | null;
}

export interface ReplicaState {
  caps: ReplicaCap[];
  nextId: number;
  /** Mapped pages: virtual page address -> capability id of the frame. */
  mappings: Record<string, number>;
}

export interface RetypeRequest {
  cap: number;
  type: CapType;
  objSize: number;
  count: number;
}

export type Vote = { ok: true } | { ok: false; reason: string };

export class Replica {
  constructor(readonly s: ReplicaState = { caps: [], nextId: 0, mappings: {} }) {}

  add(cap: Capability, owner: number): ReplicaCap {
    const c = { ...cap, id: this.s.nextId++, owner, lockedBy: null };
    this.s.caps.push(c);
    return c;
  }

  get(id: number): ReplicaCap | undefined {
    return this.s.caps.find((c) => c.id === id);
  }

  /** Phase one: vote on a retype and, if yes, lock the capability for it. */
  prepare(op: string, r: RetypeRequest): Vote {
    const cap = this.get(r.cap);
    if (!cap) return { ok: false, reason: `no capability ${r.cap}` };
    if (cap.lockedBy !== null && cap.lockedBy !== op) return { ok: false, reason: `capability ${r.cap} is locked by ${cap.lockedBy}` };
    const check = checkRetype(cap, r.type, r.objSize, r.count, this.s.caps);
    if (!check.ok) return { ok: false, reason: check.reason };
    cap.lockedBy = op;
    return { ok: true };
  }

  /** Phase two: apply a retype every replica voted for, or release the lock. */
  finish(op: string, r: RetypeRequest, commit: boolean): void {
    const cap = this.get(r.cap);
    if (!cap || cap.lockedBy !== op) return;
    cap.lockedBy = null;
    if (!commit) return;
    for (const child of retypeChildren(cap, r.type, r.objSize, r.count)) this.add(child, cap.owner);
  }

  map(vaddr: number, frame: number): void {
    this.s.mappings[vaddr] = frame;
  }

  unmap(vaddr: number): boolean {
    const had = vaddr in this.s.mappings;
    delete this.s.mappings[vaddr];
    return had;
  }

  /** A digest that two replicas share exactly when their states agree. */
  digest(): string {
    const caps = this.s.caps.map((c) => `${c.id}:${c.type}:${c.base}:${c.size}:${c.owner}:${c.lockedBy ?? "-"}`).join(",");
    const maps = Object.keys(this.s.mappings).sort((a, b) => Number(a) - Number(b)).map((v) => `${v}=${this.s.mappings[v]}`).join(",");
    return `${caps}|${maps}`;
  }
}
