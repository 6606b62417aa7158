// The core's capability table. Slots are addressed by integer cap refs and
// allocated lowest-free-first, so the same operations always give the same
// refs. Each slot records the domain that holds it: a domain can name only
// the caps it holds, as if each had its own CSpace, while the core keeps the
// one table its CPU driver checks against.
import { checkCapability, checkRetype, isCopy, isDescendant, retypeChildren, type Capability, type CapType } from "./capability.ts";
import { CapError } from "./errors.ts";

export type CapRef = number;
export type DomainId = number;

export type Slot = {
  cap: Capability;
  holder: DomainId;
};

export type CSpaceSnapshot = {
  slots: (Slot | null)[];
};

export class CSpace {
  private slots: (Slot | null)[] = [];

  /** Put a cap into the lowest free slot (boot, or a cap arriving from another core). */
  insert(cap: Capability, holder: DomainId): CapRef {
    const bad = checkCapability(cap);
    if (bad) throw new CapError("bad_cap", bad);
    let ref = this.slots.indexOf(null);
    if (ref < 0) ref = this.slots.length;
    this.slots[ref] = { cap: { type: cap.type, base: cap.base, size: cap.size }, holder };
    return ref;
  }

  /** The slot at `ref`; with `holder`, only if that domain holds it. */
  lookup(ref: CapRef, holder?: DomainId): Slot {
    const slot = Number.isInteger(ref) ? this.slots[ref] : undefined;
    if (!slot || (holder !== undefined && slot.holder !== holder)) {
      throw new CapError("no_such_cap", `no cap at ${ref}${holder !== undefined ? ` held by domain ${holder}` : ""}`);
    }
    return slot;
  }

  /** The cap at `ref` of the given type; type_mismatch otherwise. */
  expect(ref: CapRef, type: CapType, holder?: DomainId): Capability {
    const cap = this.lookup(ref, holder).cap;
    if (cap.type !== type) throw new CapError("type_mismatch", `cap ${ref} is a ${cap.type}, not a ${type}`);
    return cap;
  }

  identify(ref: CapRef): Capability {
    return { ...this.lookup(ref).cap };
  }

  /** Refs in use, ascending. */
  refs(): CapRef[] {
    const out: CapRef[] = [];
    for (let i = 0; i < this.slots.length; i++) if (this.slots[i]) out.push(i);
    return out;
  }

  descendants(ref: CapRef): CapRef[] {
    const cap = this.lookup(ref).cap;
    return this.refs().filter((r) => isDescendant(this.slots[r]!.cap, cap));
  }

  /** Other slots holding a copy of the cap at `ref`. */
  copies(ref: CapRef): CapRef[] {
    const cap = this.lookup(ref).cap;
    return this.refs().filter((r) => r !== ref && isCopy(this.slots[r]!.cap, cap));
  }

  /** Retype the cap at `ref`; the children go to the lowest free slots and to the parent's holder. */
  retype(ref: CapRef, newType: CapType, objSize: number, count: number): CapRef[] {
    const parent = this.lookup(ref);
    const caps = this.refs().map((r) => this.slots[r]!.cap);
    const check = checkRetype(parent.cap, newType, objSize, count, caps);
    if (!check.ok) throw new CapError(check.code, check.reason);
    return retypeChildren(parent.cap, newType, objSize, count).map((c) => this.insert(c, parent.holder));
  }

  copy(ref: CapRef, to: DomainId): CapRef {
    return this.insert(this.lookup(ref).cap, to);
  }

  /**
   * Remove one cap. The last copy of a cap with descendants cannot go, or the
   * descendants would outlive every handle to revoke them by. `pinned` are
   * caps that live kernel objects of this core still use.
   */
  delete(ref: CapRef, pinned: ReadonlySet<CapRef> = new Set()): void {
    this.lookup(ref);
    if (pinned.has(ref)) throw new CapError("in_use", `cap ${ref} is in use (unmap it or stop its dispatcher first)`);
    if (this.copies(ref).length === 0 && this.descendants(ref).length > 0) {
      throw new CapError("has_descendants", `cap ${ref} has descendants: revoke it first`);
    }
    this.slots[ref] = null;
  }

  /** Remove every copy and every descendant of the cap at `ref`, keeping `ref` itself. All or nothing. */
  revoke(ref: CapRef, pinned: ReadonlySet<CapRef> = new Set()): CapRef[] {
    const victims = [...this.copies(ref), ...this.descendants(ref)].sort((a, b) => a - b);
    const busy = victims.find((r) => pinned.has(r));
    if (busy !== undefined) throw new CapError("in_use", `cap ${busy}, derived from ${ref}, is in use`);
    for (const r of victims) this.slots[r] = null;
    return victims;
  }

  snapshot(): CSpaceSnapshot {
    return { slots: this.slots.map((s) => s && { cap: { ...s.cap }, holder: s.holder }) };
  }

  static restore(json: CSpaceSnapshot): CSpace {
    const cs = new CSpace();
    cs.slots = json.slots.map((s) => s && { cap: { ...s.cap }, holder: s.holder });
    return cs;
  }
}
