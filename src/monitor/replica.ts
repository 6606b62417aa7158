// The monitor's replica of global OS state: which capabilities exist and
// which core owns each, and which pages are mapped. Replicas share nothing;
// they change only when an agreement protocol's message tells them to, so
// after a protocol completes every replica holds the same state.
import { checkRetype, retypeChildren, type CapType, type Capability } from "../cpudriver/index.ts";

export type ReplicaCap = Capability & {
  /** Ids are dense: a capability's id is its index in the replica. */
  id: number;
  owner: number;
  /** The capability it was retyped from; null for those known at boot. */
  parent: number | null;
  /** The operation holding this capability locked between prepare and commit. */
  lockedBy: string | null;
};

export type ReplicaState = {
  caps: ReplicaCap[];
  nextId: number;
  /** The application's mapped pages: virtual page address -> the page of its shared region. */
  mappings: Record<string, number>;
};

export type RetypeRequest = {
  cap: number;
  type: CapType;
  objSize: number;
  count: number;
};

export type Vote = { ok: true } | { ok: false; reason: string };

export class Replica {
  /** Each capability's children, derived from the state: the descendants a retype check must see. */
  private readonly children = new Map<number, ReplicaCap[]>();

  constructor(readonly s: ReplicaState = { caps: [], nextId: 0, mappings: {} }) {
    for (const c of s.caps) this.index(c);
  }

  add(cap: Capability, owner: number, parent: number | null = null): ReplicaCap {
    const c = { ...cap, id: this.s.nextId++, owner, parent, lockedBy: null };
    this.s.caps.push(c);
    this.index(c);
    return c;
  }

  get(id: number): ReplicaCap | undefined {
    return this.s.caps[id];
  }

  /** Phase one: vote on a retype and, if yes, lock the capability for it. */
  prepare(op: string, r: RetypeRequest): Vote {
    const cap = this.get(r.cap);
    if (!cap) return { ok: false, reason: `no capability ${r.cap}` };
    if (cap.lockedBy !== null && cap.lockedBy !== op) return { ok: false, reason: `capability ${r.cap} is locked by ${cap.lockedBy}` };
    const check = checkRetype(cap, r.type, r.objSize, r.count, this.children.get(cap.id) ?? []);
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
    for (const child of retypeChildren(cap, r.type, r.objSize, r.count)) this.add(child, cap.owner, cap.id);
  }

  map(vaddr: number, page: number): void {
    this.s.mappings[vaddr] = page;
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

  private index(c: ReplicaCap): void {
    if (c.parent === null) return;
    const list = this.children.get(c.parent);
    if (list) list.push(c);
    else this.children.set(c.parent, [c]);
  }
}
