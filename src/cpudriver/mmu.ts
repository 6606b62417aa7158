// Page tables and the TLB of one core. Each domain with a dispatcher here has
// an address space rooted at a VNode cap; the core keeps its own copy of the
// domain's mappings (the monitors replicate them), so unmapping on every core
// is the monitors' protocol and invalidating this core's TLB is the driver's.
// Addresses go past 2^32: page arithmetic uses division, not bit operations.
import { ADDRESS_LIMIT, BASE_PAGE_SIZE, type Capability } from "./capability.ts";
import type { CapRef, DomainId } from "./cspace.ts";
import { KernelError } from "./errors.ts";

export const PAGE_SIZE = BASE_PAGE_SIZE;
export const TLB_ENTRIES = 64;
/** x86-64 has four levels of page table: a TLB miss reads one entry from each. */
export const PAGE_WALK_LEVELS = 4;

interface Pte {
  paddr: number;
  /** The Frame cap the mapping was made with: it cannot be deleted while mapped. */
  frame: CapRef;
}

interface VSpace {
  root: CapRef;
  ptes: Map<number, Pte>; // by virtual page number
}

interface TlbEntry {
  domain: DomainId;
  vpn: number;
  paddr: number;
}

export type MmuSnapshot = {
  vspaces: { domain: DomainId; root: CapRef; ptes: [vpn: number, paddr: number, frame: CapRef][] }[];
  /** Least recently used first. */
  tlb: [domain: DomainId, vpn: number, paddr: number][];
};

/**
 * A fully associative TLB with LRU replacement. Entries are tagged with the
 * domain (as ASIDs/PCIDs do), so dispatching another domain needs no flush.
 */
export class Tlb {
  /** Least recently used first. */
  private entries: TlbEntry[] = [];

  constructor(readonly capacity = TLB_ENTRIES) {}

  get size(): number {
    return this.entries.length;
  }

  /** The physical page of a hit, which becomes the most recently used; undefined on a miss. */
  holds(domain: DomainId, vpn: number): boolean {
    return this.find(domain, vpn) >= 0;
  }

  lookup(domain: DomainId, vpn: number): number | undefined {
    const i = this.find(domain, vpn);
    if (i < 0) return undefined;
    const [e] = this.entries.splice(i, 1);
    this.entries.push(e);
    return e.paddr;
  }

  fill(domain: DomainId, vpn: number, paddr: number): void {
    if (this.entries.length >= this.capacity) this.entries.shift();
    this.entries.push({ domain, vpn, paddr });
  }

  /** Drop the entry for one page; whether it was cached. */
  invalidate(domain: DomainId, vpn: number): boolean {
    const i = this.find(domain, vpn);
    if (i >= 0) this.entries.splice(i, 1);
    return i >= 0;
  }

  flush(): void {
    this.entries = [];
  }

  snapshot(): MmuSnapshot["tlb"] {
    return this.entries.map((e) => [e.domain, e.vpn, e.paddr]);
  }

  static restore(json: MmuSnapshot["tlb"]): Tlb {
    const tlb = new Tlb();
    tlb.entries = json.map(([domain, vpn, paddr]) => ({ domain, vpn, paddr }));
    return tlb;
  }

  private find(domain: DomainId, vpn: number): number {
    return this.entries.findIndex((e) => e.domain === domain && e.vpn === vpn);
  }
}

export interface Translation {
  /** Physical address, or null on a page fault. */
  paddr: number | null;
  hit: boolean;
}

export class Mmu {
  private vspaces = new Map<DomainId, VSpace>();

  constructor(readonly tlb = new Tlb()) {}

  createVSpace(domain: DomainId, root: CapRef): void {
    this.vspaces.set(domain, { root, ptes: new Map() });
  }

  /** Map `pages` pages of a Frame, from its base, at `vaddr`. All or nothing. */
  map(domain: DomainId, vaddr: number, frame: Capability, frameRef: CapRef, pages: number): void {
    const vs = this.vspace(domain);
    const first = pageRange(vaddr, pages);
    if (pages * PAGE_SIZE > frame.size) {
      throw new KernelError("too_small", `${pages} pages do not fit in a Frame of ${frame.size} bytes`);
    }
    for (let i = 0; i < pages; i++) {
      if (vs.ptes.has(first + i)) throw new KernelError("already_mapped", `0x${((first + i) * PAGE_SIZE).toString(16)} is mapped`);
    }
    for (let i = 0; i < pages; i++) vs.ptes.set(first + i, { paddr: frame.base + i * PAGE_SIZE, frame: frameRef });
  }

  isMapped(domain: DomainId, vaddr: number): boolean {
    return this.vspace(domain).ptes.has(pageOf(vaddr));
  }

  /** Whether the TLB holds a translation for the page: a probe, not an access (no replacement update). */
  cached(domain: DomainId, vaddr: number): boolean {
    return this.tlb.holds(domain, pageOf(vaddr));
  }

  /** Clear the PTEs of `pages` pages from `vaddr` and drop them from this core's TLB. All or nothing. */
  unmap(domain: DomainId, vaddr: number, pages: number): void {
    const vs = this.vspace(domain);
    const first = pageRange(vaddr, pages);
    for (let i = 0; i < pages; i++) {
      if (!vs.ptes.has(first + i)) throw new KernelError("not_mapped", `0x${((first + i) * PAGE_SIZE).toString(16)} is not mapped`);
    }
    for (let i = 0; i < pages; i++) {
      vs.ptes.delete(first + i);
      this.tlb.invalidate(domain, first + i);
    }
  }

  /** What the hardware does on a memory access: the TLB, then on a miss a walk of the page tables that fills it. */
  translate(domain: DomainId, vaddr: number): Translation {
    const vs = this.vspace(domain);
    const vpn = pageOf(vaddr);
    const offset = vaddr % PAGE_SIZE;
    const cached = this.tlb.lookup(domain, vpn);
    if (cached !== undefined) return { paddr: cached + offset, hit: true };
    const pte = vs.ptes.get(vpn);
    if (!pte) return { paddr: null, hit: false };
    this.tlb.fill(domain, vpn, pte.paddr);
    return { paddr: pte.paddr + offset, hit: false };
  }

  /** Drop one page from this core's TLB; whether it was cached. */
  invalidate(domain: DomainId, vaddr: number): boolean {
    return this.tlb.invalidate(domain, pageOf(vaddr));
  }

  /** Caps that page tables use: each address space's root and every mapped Frame. */
  pinned(): Set<CapRef> {
    const out = new Set<CapRef>();
    for (const vs of this.vspaces.values()) {
      out.add(vs.root);
      for (const pte of vs.ptes.values()) out.add(pte.frame);
    }
    return out;
  }

  snapshot(): MmuSnapshot {
    return {
      vspaces: [...this.vspaces].map(([domain, vs]) => ({
        domain,
        root: vs.root,
        ptes: [...vs.ptes].map(([vpn, p]) => [vpn, p.paddr, p.frame]),
      })),
      tlb: this.tlb.snapshot(),
    };
  }

  static restore(json: MmuSnapshot): Mmu {
    const mmu = new Mmu(Tlb.restore(json.tlb));
    for (const v of json.vspaces) {
      mmu.vspaces.set(v.domain, { root: v.root, ptes: new Map(v.ptes.map(([vpn, paddr, frame]) => [vpn, { paddr, frame }])) });
    }
    return mmu;
  }

  private vspace(domain: DomainId): VSpace {
    const vs = this.vspaces.get(domain);
    if (!vs) throw new KernelError("no_such_dispatcher", `domain ${domain} has no address space on this core`);
    return vs;
  }
}

/** Check a page-aligned range below 2^48; its first virtual page number. */
function pageRange(vaddr: number, pages: number): number {
  if (!Number.isInteger(pages) || pages < 1) throw new KernelError("bad_count", `${pages} is not a page count`);
  if (!Number.isSafeInteger(vaddr) || vaddr < 0 || vaddr % PAGE_SIZE !== 0 || vaddr + pages * PAGE_SIZE > ADDRESS_LIMIT) {
    throw new KernelError("bad_vaddr", `0x${vaddr.toString(16)} + ${pages} pages is not a page-aligned range below 2^48`);
  }
  return vaddr / PAGE_SIZE;
}

function pageOf(vaddr: number): number {
  if (!Number.isSafeInteger(vaddr) || vaddr < 0 || vaddr >= ADDRESS_LIMIT) {
    throw new KernelError("bad_vaddr", `${vaddr} is not a virtual address`);
  }
  return Math.floor(vaddr / PAGE_SIZE);
}
