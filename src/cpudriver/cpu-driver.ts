// The CPU driver of one core: privileged, single-threaded, sharing nothing
// with other cores. The engine calls it from its event handlers; each
// operation runs to completion, checks its capabilities locally, and returns
// the cycles it keeps the core busy, priced by the cost model. This file is
// the ledger of those prices.
import type { CostModel } from "../hwmodel/index.ts";
import { isCopy, type Capability, type CapType } from "./capability.ts";
import { CSpace, type CapRef, type CSpaceSnapshot, type DomainId } from "./cspace.ts";
import type { Json } from "../json.ts";
import { upcallCost, type Message } from "./dispatcher.ts";
import { CapError } from "./errors.ts";
import { deliverLrpc } from "./lrpc.ts";
import { Mmu, PAGE_WALK_LEVELS, type MmuSnapshot } from "./mmu.ts";
import { Scheduler, type SchedulerSnapshot } from "./scheduler.ts";

export interface Costed {
  /** Cycles the operation keeps the core busy. */
  cost: number;
}

/** Who runs after a scheduling decision; null if the core idles. */
export interface Running extends Costed {
  running: DomainId | null;
}

export interface Translated extends Costed {
  /** Physical address, or null on a page fault. */
  paddr: number | null;
  hit: boolean;
}

/** A system call as data, so an engine event can carry it. */
export type Syscall =
  | { op: "retype"; cap: CapRef; type: CapType; objSize: number; count: number }
  | { op: "copy"; cap: CapRef; to: DomainId }
  | { op: "delete"; cap: CapRef }
  | { op: "revoke"; cap: CapRef }
  | { op: "identify"; cap: CapRef }
  | { op: "map"; vaddr: number; frame: CapRef; pages: number }
  | { op: "unmap"; vaddr: number; pages: number }
  | { op: "invalidate"; vaddr: number }
  | { op: "lrpc"; ep: CapRef; payload: Json }
  | { op: "yield" }
  | { op: "block" };

export interface SyscallResults {
  retype: Costed & { refs: CapRef[] };
  copy: Costed & { ref: CapRef };
  delete: Costed;
  revoke: Costed & { revoked: CapRef[] };
  identify: Costed & { cap: Capability };
  map: Costed;
  unmap: Costed;
  invalidate: Costed & { present: boolean };
  lrpc: Costed & { target: DomainId };
  yield: Running;
  block: Running;
}

export type CpuDriverSnapshot = {
  version: 1;
  core: number;
  cspace: CSpaceSnapshot;
  mmu: MmuSnapshot;
  scheduler: SchedulerSnapshot;
};

export class CpuDriver {
  readonly cspace: CSpace;
  readonly mmu: Mmu;
  readonly scheduler: Scheduler;

  constructor(
    readonly core: number,
    private readonly cost: CostModel,
    state?: { cspace: CSpace; mmu: Mmu; scheduler: Scheduler },
  ) {
    this.cspace = state?.cspace ?? new CSpace();
    this.mmu = state?.mmu ?? new Mmu();
    this.scheduler = state?.scheduler ?? new Scheduler();
  }

  // --- Capabilities. Each CTE is one cache line, so every slot written or cleared is a local line update.

  /** Install a cap for `holder`: at boot, or for the monitor when a cap arrives from another core. */
  insertCap(cap: Capability, holder: DomainId): Costed & { ref: CapRef } {
    const ref = this.cspace.insert(cap, holder);
    return { cost: this.cost.trap() + this.cost.localLineUpdate(), ref };
  }

  retype(caller: DomainId, cap: CapRef, type: CapType, objSize: number, count: number): SyscallResults["retype"] {
    this.cspace.lookup(cap, caller);
    const refs = this.cspace.retype(cap, type, objSize, count);
    return { cost: this.cost.trap() + refs.length * this.cost.localLineUpdate(), refs };
  }

  /** Give a copy of a cap the caller holds to domain `to` on this core. */
  copy(caller: DomainId, cap: CapRef, to: DomainId): SyscallResults["copy"] {
    this.cspace.lookup(cap, caller);
    const ref = this.cspace.copy(cap, to);
    return { cost: this.cost.trap() + this.cost.localLineUpdate(), ref };
  }

  delete(caller: DomainId, cap: CapRef): SyscallResults["delete"] {
    this.cspace.lookup(cap, caller);
    this.cspace.delete(cap, this.pinned());
    return { cost: this.cost.trap() + this.cost.localLineUpdate() };
  }

  /** Delete every copy and descendant on this core (other cores' copies are the monitors' two-phase commit). */
  revoke(caller: DomainId, cap: CapRef): SyscallResults["revoke"] {
    this.cspace.lookup(cap, caller);
    const revoked = this.cspace.revoke(cap, this.pinned());
    return { cost: this.cost.trap() + revoked.length * this.cost.localLineUpdate(), revoked };
  }

  identify(caller: DomainId, cap: CapRef): SyscallResults["identify"] {
    this.cspace.lookup(cap, caller);
    return { cost: this.cost.trap(), cap: this.cspace.identify(cap) };
  }

  // --- Dispatchers and scheduling.

  /** Make `domain`'s dispatcher on this core from a Dispatcher cap and a root VNode it holds. It starts runnable. */
  spawn(domain: DomainId, dispatcher: CapRef, vspace: CapRef): Costed {
    const dcb = this.cspace.expect(dispatcher, "Dispatcher", domain);
    const root = this.cspace.expect(vspace, "VNode", domain);
    // By object, not by slot: a copy of a live dispatcher's cap names the same control block.
    for (const d of this.scheduler.all()) {
      if (d.dcb === dcb.base) throw new CapError("in_use", `cap ${dispatcher} names domain ${d.domain}'s dispatcher`);
      if (isCopy(this.cspace.identify(d.vspace), root)) {
        throw new CapError("in_use", `cap ${vspace} is domain ${d.domain}'s page-table root`);
      }
    }
    this.scheduler.add({ domain, core: this.core, cap: dispatcher, dcb: dcb.base, vspace, state: "runnable", endpoint: [] });
    this.mmu.createVSpace(domain, vspace);
    return { cost: this.cost.trap() + this.cost.localLineUpdate() };
  }

  /** A timer interrupt or a yield: enter the kernel, pick the next dispatcher round robin and upcall it. */
  schedule(): Running {
    return this.dispatchNext(this.cost.trap());
  }

  /** The caller waits for a message: it stops being runnable, and the core goes to the next dispatcher. */
  block(caller: DomainId): Running {
    const wasRunning = this.scheduler.current === caller;
    this.scheduler.block(caller);
    if (!wasRunning) return { cost: this.cost.trap(), running: this.scheduler.current };
    return this.dispatchNext(this.cost.trap());
  }

  /** Take an interprocessor interrupt, waking `wake` if given; an idle core then runs whoever is runnable. */
  takeIpi(wake?: DomainId): Running {
    if (wake !== undefined) this.scheduler.unblock(wake);
    if (this.scheduler.current !== null) return { cost: this.cost.ipiTrap(), running: this.scheduler.current };
    return this.dispatchNext(this.cost.ipiTrap());
  }

  // --- LRPC.

  /** One-way LRPC through an EndPoint the caller holds, to a dispatcher on this core, which then runs. */
  lrpc(caller: DomainId, ep: CapRef, payload: Json): SyscallResults["lrpc"] {
    const target = deliverLrpc(this.cspace, this.scheduler, caller, ep, payload);
    return { cost: this.cost.lrpc(), target: target.domain };
  }

  /** The oldest message in `domain`'s endpoint buffer, or null. User-level: the buffer is in its own frame. */
  receive(domain: DomainId): Costed & { message: Message | null } {
    return { cost: 0, message: this.scheduler.get(domain).endpoint.shift() ?? null };
  }

  // --- MMU. Each PTE is written or cleared with a local line update.

  map(caller: DomainId, vaddr: number, frame: CapRef, pages: number): SyscallResults["map"] {
    this.scheduler.get(caller);
    const cap = this.cspace.expect(frame, "Frame", caller);
    this.mmu.map(caller, vaddr, cap, frame, pages);
    return { cost: this.cost.trap() + pages * this.cost.localLineUpdate() };
  }

  /** Whether `domain` has a page-table entry for `vaddr` on this core. */
  isMapped(domain: DomainId, vaddr: number): boolean {
    return this.mmu.isMapped(domain, vaddr);
  }

  /** Whether this core's TLB holds a translation of `vaddr` for `domain`. */
  tlbHolds(domain: DomainId, vaddr: number): boolean {
    return this.mmu.cached(domain, vaddr);
  }

  /** Unmap on this core: clear the PTEs and invalidate each page in the local TLB, as the kernel must. */
  unmap(caller: DomainId, vaddr: number, pages: number): SyscallResults["unmap"] {
    this.scheduler.get(caller);
    this.mmu.unmap(caller, vaddr, pages);
    return { cost: this.cost.trap() + pages * (this.cost.localLineUpdate() + this.cost.tlbInvalidate()) };
  }

  /**
   * A memory access by `domain`. A TLB hit is free (part of the access); a
   * miss walks the page tables, one cached line per level; a page fault
   * then traps and is reflected to the dispatcher by an upcall.
   */
  translate(domain: DomainId, vaddr: number): Translated {
    this.scheduler.get(domain);
    const t = this.mmu.translate(domain, vaddr);
    const walk = t.hit ? 0 : PAGE_WALK_LEVELS * this.cost.localLineUpdate();
    const fault = t.paddr === null ? this.cost.trap() + upcallCost(this.cost) : 0;
    return { cost: walk + fault, ...t };
  }

  /**
   * Invalidate one page in this core's TLB: the instruction alone, as inside
   * an IPI handler. A monitor asking for it pays a trap too (syscall "invalidate").
   */
  invalidate(domain: DomainId, vaddr: number): Costed & { present: boolean } {
    return { cost: this.cost.tlbInvalidate(), present: this.mmu.invalidate(domain, vaddr) };
  }

  /** Flush the whole TLB: one invalidation instruction. */
  flushTlb(): Costed {
    this.mmu.tlb.flush();
    return { cost: this.cost.tlbInvalidate() };
  }

  // --- The trap interface.

  syscall<S extends Syscall>(caller: DomainId, call: S): SyscallResults[S["op"]] {
    return this.dispatchSyscall(caller, call) as SyscallResults[S["op"]];
  }

  snapshot(): CpuDriverSnapshot {
    return {
      version: 1,
      core: this.core,
      cspace: this.cspace.snapshot(),
      mmu: this.mmu.snapshot(),
      scheduler: this.scheduler.snapshot(),
    };
  }

  static restore(json: CpuDriverSnapshot, cost: CostModel): CpuDriver {
    if (json.version !== 1) throw new Error(`cannot restore a CPU driver snapshot of version ${String(json.version)}`);
    return new CpuDriver(json.core, cost, {
      cspace: CSpace.restore(json.cspace),
      mmu: Mmu.restore(json.mmu),
      scheduler: Scheduler.restore(json.scheduler),
    });
  }

  private dispatchSyscall(caller: DomainId, call: Syscall): SyscallResults[Syscall["op"]] {
    switch (call.op) {
      case "retype":
        return this.retype(caller, call.cap, call.type, call.objSize, call.count);
      case "copy":
        return this.copy(caller, call.cap, call.to);
      case "delete":
        return this.delete(caller, call.cap);
      case "revoke":
        return this.revoke(caller, call.cap);
      case "identify":
        return this.identify(caller, call.cap);
      case "map":
        return this.map(caller, call.vaddr, call.frame, call.pages);
      case "unmap":
        return this.unmap(caller, call.vaddr, call.pages);
      case "invalidate": {
        this.scheduler.get(caller);
        const r = this.invalidate(caller, call.vaddr);
        return { ...r, cost: this.cost.trap() + r.cost };
      }
      case "lrpc":
        return this.lrpc(caller, call.ep, call.payload);
      case "yield":
        this.scheduler.get(caller);
        return this.schedule();
      case "block":
        return this.block(caller);
    }
  }

  /** After kernel entry costing `entry`: run the next dispatcher, paying its upcall. */
  private dispatchNext(entry: number): Running {
    const running = this.scheduler.next();
    return { cost: entry + (running === null ? 0 : upcallCost(this.cost)), running };
  }

  /** Caps that live objects on this core use: dispatchers' caps, address-space roots, mapped Frames. */
  private pinned(): Set<CapRef> {
    const pinned = this.mmu.pinned();
    for (const d of this.scheduler.all()) pinned.add(d.cap);
    return pinned;
  }
}
