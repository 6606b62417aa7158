// The interconnect as the cache-line model sees it: which way a packet goes
// between two packages, how long it takes, and how long it holds each link.
//
// HyperTransport: packets are routed hop by hop along a shortest path (ties
// go to the lowest-numbered next package, as a BIOS fills the routing
// tables); probes are broadcast along a breadth-first tree from the home, so
// each link carries a probe once. A packet holds each link it crosses for its
// size over the link's bandwidth; its head reaches the next crossbar `hopLeg`
// after it starts on the link and goes on without waiting for its tail
// (cut-through), so a packet pays its serialisation once however many hops
// it makes. Packet sizes are HyperTransport's: every packet is a multiple of 4
// bytes; requests and probes are 8-byte control packets, responses 4 bytes,
// and a data response carries the 64-byte line behind its 4-byte header
// (HyperTransport I/O Link Specification, packet formats; MindShare,
// "HyperTransport System Architecture", ch. 4).
//
// A package may have slower links than the machine's (an accelerator behind a
// narrower link): a link takes the slower hop and the lower bandwidth of its
// two ends, and a packet's tail reaches each crossbar its serialisation on
// the slowest link so far behind its head.
//
// Front-side bus: no links; the bus is the one place every transaction goes
// through, and the home agent of the machine (coherence.ts) books it.
import type { Machine } from "./machine.ts";

export const PACKET_BYTES = { request: 8, probe: 8, response: 4, data: 68 } as const;
export type PacketKind = keyof typeof PACKET_BYTES;

/** Integer cycle counts of the line model, derived once per machine from its cost parameters. */
export interface LineTimings {
  chip: number;
  hop: number;
  probe: number;
  homeOccupancy: number;
  homeSlots: number;
  dieTransfer: number;
  dieOccupancy: number;
  memory: number;
  /** Cycles a packet of each kind holds a link. */
  occupancy: Record<PacketKind, number>;
}

export class Interconnect {
  readonly fsb: boolean;
  /** HyperTransport homes probe only the packages that may hold a line (InterconnectSchema). */
  readonly probeFilter: boolean;
  readonly packages: number;
  readonly t: LineTimings;
  private readonly neighbours: number[][];
  private readonly trees = new Map<number, { order: number[]; parent: Int32Array }>();
  /** routes[a * packages + b]: the next package from a towards b; made on first use. */
  private routes: Int32Array | null = null;
  /** Per directed link (u * packages + v), when some package's links are slower than the machine's: hop latency and each packet kind's occupancy. */
  private readonly slow: { hop: Int32Array; occupancy: Record<PacketKind, Int32Array> } | null;
  /** Idle path latencies per packet kind, a * packages + b, on machines with slow links; made on first use. */
  private readonly paths = new Map<PacketKind, Int32Array>();

  constructor(readonly machine: Machine) {
    const c = machine.costs;
    this.fsb = machine.interconnect === "fsb";
    const ic = machine.description.interconnect;
    this.probeFilter = ic.type === "hypertransport" && ic.probeFilter;
    this.packages = machine.numPackages;
    const occupancy = (bytes: number, gbps: number) => Math.max(1, Math.ceil(bytes / (gbps / machine.clockGHz)));
    const occ = (bytes: number) => occupancy(bytes, c.linkGBps);
    this.t = {
      chip: Math.max(1, Math.round(c.chipLeg)),
      hop: Math.max(1, Math.round(c.hopLeg)),
      probe: Math.max(1, Math.round(c.probeLookup)),
      homeOccupancy: Math.round(c.homeOccupancy),
      homeSlots: c.homeSlots,
      dieTransfer: Math.round(c.dieTransfer),
      dieOccupancy: Math.round(c.dieOccupancy),
      memory: Math.max(1, Math.round(c.memoryNs * machine.clockGHz)),
      occupancy: {
        request: occ(PACKET_BYTES.request),
        probe: occ(PACKET_BYTES.probe),
        response: occ(PACKET_BYTES.response),
        data: occ(PACKET_BYTES.data),
      },
    };
    this.neighbours = Array.from({ length: this.packages }, () => []);
    const d = machine.description;
    if (d.interconnect.type === "hypertransport") {
      const index = new Map(machine.packageIds.map((id, i) => [id, i]));
      for (const [a, b] of d.interconnect.links) {
        const ia = index.get(a)!;
        const ib = index.get(b)!;
        if (!this.neighbours[ia].includes(ib)) this.neighbours[ia].push(ib);
        if (!this.neighbours[ib].includes(ia)) this.neighbours[ib].push(ia);
      }
      for (const n of this.neighbours) n.sort((x, y) => x - y);
    }
    const own = d.packages.map((pk) => pk.links);
    if (own.some((l) => l !== undefined)) {
      const p = this.packages;
      const hop = (i: number) => Math.max(1, Math.round(own[i]?.hopLeg ?? c.hopLeg));
      const gbps = (i: number) => own[i]?.linkGBps ?? c.linkGBps;
      const kinds = Object.keys(PACKET_BYTES) as PacketKind[];
      const slow = { hop: new Int32Array(p * p), occupancy: Object.fromEntries(kinds.map((k) => [k, new Int32Array(p * p)])) as Record<PacketKind, Int32Array> };
      for (let u = 0; u < p; u++) {
        for (const v of this.neighbours[u]) {
          slow.hop[u * p + v] = Math.max(hop(u), hop(v));
          for (const k of kinds) slow.occupancy[k][u * p + v] = occupancy(PACKET_BYTES[k], Math.min(gbps(u), gbps(v)));
        }
      }
      this.slow = slow;
    } else this.slow = null;
  }

  /** The latency of one hop over the link u -> v. */
  linkHop(u: number, v: number): number {
    return this.slow ? this.slow.hop[u * this.packages + v] : this.t.hop;
  }

  /** Cycles a packet of `kind` holds the link u -> v. */
  linkOccupancy(u: number, v: number, kind: PacketKind): number {
    return this.slow ? this.slow.occupancy[kind][u * this.packages + v] : this.t.occupancy[kind];
  }

  hops(a: number, b: number): number {
    return this.machine.packageHops[a * this.packages + b];
  }

  /** The next package on the way from a to b (a !== b), from a routing table built once. */
  nextHop(a: number, b: number): number {
    const p = this.packages;
    if (!this.routes) {
      this.routes = new Int32Array(p * p).fill(-1);
      for (let u = 0; u < p; u++) {
        for (let v = 0; v < p; v++) {
          if (u === v) continue;
          const want = this.hops(u, v) - 1;
          const n = this.neighbours[u].find((x) => this.hops(x, v) === want);
          if (n !== undefined) this.routes[u * p + v] = n;
        }
      }
    }
    const n = this.routes[a * p + b];
    if (n < 0) throw new Error(`no route from package ${a} to ${b}`);
    return n;
  }

  /** A packet's latency from package a's crossbar to b's on idle links. */
  path(a: number, b: number, kind: PacketKind): number {
    const h = this.fsb ? 0 : this.hops(a, b);
    if (h === 0) return 0;
    if (!this.slow) return h * this.t.hop + this.t.occupancy[kind];
    let table = this.paths.get(kind);
    if (!table) {
      const p = this.packages;
      this.paths.set(kind, (table = new Int32Array(p * p)));
      for (let u = 0; u < p; u++) for (let v = 0; v < p; v++) table[u * p + v] = this.send(new Map(), u, v, 0, kind);
    }
    return table[a * this.packages + b];
  }

  /**
   * Sends a packet from package a's crossbar at time t to package b's, waiting
   * for each link along the way to be free in `links` (directed link index
   * from * packages + to -> free time) and booking it. Returns the arrival.
   */
  send(links: Map<number, number>, a: number, b: number, t: number, kind: PacketKind): number {
    if (a === b) return t;
    let head = t;
    let tail = t;
    for (let u = a; u !== b; ) {
      const v = this.nextHop(u, b);
      head = this.cross(links, u, v, head, kind);
      tail = this.tail(u, v, head, tail, kind);
      u = v;
    }
    return tail;
  }

  /** One link: wait until it is free, hold it for the packet; returns when the head reaches the far crossbar. */
  cross(links: Map<number, number>, u: number, v: number, t: number, kind: PacketKind): number {
    const key = u * this.packages + v;
    const depart = Math.max(t, links.get(key) ?? 0);
    links.set(key, depart + this.linkOccupancy(u, v, kind));
    return depart + this.linkHop(u, v);
  }

  /**
   * When a packet is all in at v, its head there at `head` and its tail at u
   * at `tail`: its serialisation on u -> v behind the head, or later if a
   * slower link before held its tail back. (On uniform links: head + occupancy.)
   */
  tail(u: number, v: number, head: number, tail: number, kind: PacketKind): number {
    return Math.max(head + this.linkOccupancy(u, v, kind), tail + this.linkHop(u, v));
  }

  /** The probe broadcast tree from a home: packages in breadth-first order and each one's parent (-1 at the root). */
  broadcastTree(root: number): { order: number[]; parent: Int32Array } {
    let tree = this.trees.get(root);
    if (!tree) {
      const parent = new Int32Array(this.packages).fill(-2);
      parent[root] = -1;
      const order = [root];
      for (let i = 0; i < order.length; i++) {
        for (const n of this.neighbours[order[i]]) {
          if (parent[n] !== -2) continue;
          parent[n] = order[i];
          order.push(n);
        }
      }
      tree = { order, parent };
      this.trees.set(root, tree);
    }
    return tree;
  }

  /** When a request that `core` issues at `issue` reaches the home agent of package `home`. */
  requestArrival(core: number, home: number, issue: number): number {
    return issue + this.t.chip + this.path(this.machine.corePackage[core], home, "request");
  }

  /** An IPI from a core of package a to one of package b: it leaves a's local APIC, crosses as a request-sized packet, and reaches b's APIC. */
  ipiWire(a: number, b: number): number {
    return 2 * this.t.chip + this.path(a, b, "request");
  }

  /**
   * The smallest lags from a core of package a to another core of package b,
   * by the kind of event one core sends another: what the engine's lookahead
   * is made of, so none may exceed what the line model or the APIC asks for.
   *   request  a requester's request to its home, from its issue: a chip leg
   *            and the path;
   *   answer   a home's completion or notice, from the request's arrival
   *            there: the probe lookup, then the completion's path back and
   *            the chip leg in, or the probe's path (a broadcast tree's is no
   *            shorter than the shortest); on a front-side bus, the die's L2
   *            transfer, the bus's probe, or a hop and the chip leg;
   *   ipi      ipiWire.
   * Busy links only make a packet later than on idle ones (path).
   */
  lags(a: number, b: number): { request: number; answer: number; ipi: number } {
    const t = this.t;
    const answer = this.fsb
      ? Math.min(t.dieTransfer, t.probe, t.hop + t.chip)
      : Math.min(t.probe + this.path(a, b, "probe"), t.probe + this.path(a, b, "response") + t.chip);
    return { request: Math.max(1, t.chip + this.path(a, b, "request")), answer: Math.max(1, answer), ipi: Math.max(1, this.ipiWire(a, b)) };
  }
}

const cache = new WeakMap<Machine, Interconnect>();

/** The interconnect of a machine, built once. */
export function interconnectOf(m: Machine): Interconnect {
  let net = cache.get(m);
  if (!net) cache.set(m, (net = new Interconnect(m)));
  return net;
}
