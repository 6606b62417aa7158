// A validated machine: the description plus the facts derived from it that the
// cost model, the SKB and the kernel ask for (which package a core is in, which
// cache two cores share, how many interconnect hops lie between them).
import {
  MAX_CORES,
  MAX_CYCLES_COST,
  MachineDescriptionSchema,
  type CostParameters,
  type MachineDescription,
  type ParsedDescription,
} from "./description.ts";
import { defaultCosts } from "./defaults.ts";

export interface FieldIssue {
  /** Dotted path of the offending field, e.g. `interconnect.links[3][1]`. */
  field: string;
  reason: string;
}

/** A description that is not a machine. Carries every problem found, each naming its field. */
export class MachineError extends Error {
  constructor(readonly issues: FieldIssue[]) {
    super(issues.map((i) => `${i.field || "(machine)"}: ${i.reason}`).join("; "));
    this.name = "MachineError";
  }
}

export function fieldPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const p of path) out += typeof p === "number" ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out;
}

/** How two cores relate in the machine; the names are the paper's (Table 2). */
export type PairClass =
  | "same-core"
  | "shared-cache"
  | "same-die"
  | "same-package"
  | "not-shared"
  | "one-hop"
  | "two-hop"
  | "three-hop"
  | `${number}-hop`;

const HOP_WORDS = ["", "one", "two", "three"];

export class Machine {
  readonly name: string;
  readonly description: ParsedDescription;
  readonly clockGHz: number;
  readonly numCores: number;
  readonly numPackages: number;
  readonly costs: CostParameters;
  readonly interconnect: "hypertransport" | "fsb";
  /** Package index (0..numPackages-1, in description order) of each core. */
  readonly corePackage: Int32Array;
  /** Global die index of each core. */
  readonly coreDie: Int32Array;
  /** Index of the shared cache each core is in (-1 if none) and that cache's level. */
  readonly coreCache: Int32Array;
  readonly cacheLevel: number[];
  /** Cores of each package, ascending. */
  readonly packageCores: number[][];
  /** The id each package has in the description. */
  readonly packageIds: number[];
  /** Interconnect hops between packages (by index), numPackages x numPackages. */
  readonly packageHops: Int32Array;
  /** Measured one-way line latency in cycles, numCores x numCores, when a matrix was given. */
  readonly measured: Float64Array | null;
  /** Each die's clock in GHz (global die index, as coreDie): its own, else its package's, else the machine's. */
  readonly dieClockGHz: number[] = [];
  /** Each core's clock in GHz: its die's. */
  readonly coreClockGHz: Float64Array;
  /**
   * Reference cycles (cycles of clockGHz, the unit of simulated time) per
   * cycle of each core's clock: exactly 1 for a core at the machine's clock.
   */
  readonly corePeriod: Float64Array;
  /** Whether some core runs at another clock than the machine's. */
  readonly heterogeneous: boolean;

  private constructor(d: ParsedDescription) {
    this.description = d;
    this.name = d.name;
    this.clockGHz = d.clockGHz;
    this.interconnect = d.interconnect.type;
    this.costs = { ...defaultCosts(d.interconnect.type), ...d.costs };
    const cores = d.packages.flatMap((p) => p.dies.flatMap((die) => die.cores));
    this.numCores = cores.length;
    this.numPackages = d.packages.length;
    this.packageIds = d.packages.map((p) => p.id);
    this.corePackage = new Int32Array(this.numCores);
    this.coreDie = new Int32Array(this.numCores);
    this.packageCores = d.packages.map(() => []);
    this.coreClockGHz = new Float64Array(this.numCores);
    this.corePeriod = new Float64Array(this.numCores);
    let die = 0;
    d.packages.forEach((p, pi) =>
      p.dies.forEach((dd) => {
        const ghz = dd.clockGHz ?? p.clockGHz ?? d.clockGHz;
        this.dieClockGHz.push(ghz);
        for (const c of dd.cores) {
          this.corePackage[c] = pi;
          this.coreDie[c] = die;
          this.packageCores[pi].push(c);
          this.coreClockGHz[c] = ghz;
          // Exactly 1 at the machine's clock, so a homogeneous machine's times are never multiplied.
          this.corePeriod[c] = ghz === d.clockGHz ? 1 : d.clockGHz / ghz;
        }
        die++;
      }),
    );
    this.heterogeneous = this.corePeriod.some((p) => p !== 1);
    for (const list of this.packageCores) list.sort((a, b) => a - b);
    this.coreCache = new Int32Array(this.numCores).fill(-1);
    this.cacheLevel = d.sharedCaches.map((c) => c.level);
    // The outermost shared cache is the one a line moves through.
    d.sharedCaches.forEach((c, ci) => {
      for (const core of c.cores) {
        const prev = this.coreCache[core];
        if (prev < 0 || this.cacheLevel[prev] < c.level) this.coreCache[core] = ci;
      }
    });
    this.packageHops = hopMatrix(d, this.packageIds);
    this.measured = d.latencyMatrix ? toCycles(d.latencyMatrix, d.clockGHz) : null;
  }

  /** Validate and derive. Throws MachineError naming every bad field. */
  static from(input: unknown): Machine {
    const parsed = MachineDescriptionSchema.safeParse(input);
    if (!parsed.success) {
      throw new MachineError(parsed.error.issues.map((i) => ({ field: fieldPath(i.path), reason: i.message })));
    }
    const issues = checkWhole(parsed.data);
    if (issues.length) throw new MachineError(issues);
    return new Machine(parsed.data);
  }

  /**
   * The simulated time, in reference cycles, that `cycles` of core's own
   * clock take: rounded to the nearest cycle, and `cycles` itself on a core at
   * the machine's clock. How the engine charges a core's work (the kernels
   * give it to the engine as Kernel.time) and how the cost model prices it.
   */
  time(core: number, cycles: number): number {
    const p = this.corePeriod[core];
    return p === 1 ? cycles : Math.round(cycles * p);
  }

  /** The cores' distinct clocks in GHz, fastest first. */
  get clocksGHz(): number[] {
    return [...new Set(this.coreClockGHz)].sort((a, b) => b - a);
  }

  /** Level of the cache that cores a and b share (0 if none). */
  sharedCacheLevel(a: number, b: number): number {
    const ca = this.coreCache[a];
    return ca >= 0 && ca === this.coreCache[b] ? this.cacheLevel[ca] : 0;
  }

  hops(a: number, b: number): number {
    return this.packageHops[this.corePackage[a] * this.numPackages + this.corePackage[b]];
  }

  /** Largest hop count between any two packages. */
  get diameter(): number {
    let m = 0;
    for (const h of this.packageHops) m = Math.max(m, h);
    return m;
  }

  pairClass(a: number, b: number): PairClass {
    if (a === b) return "same-core";
    if (this.sharedCacheLevel(a, b)) return "shared-cache";
    if (this.coreDie[a] === this.coreDie[b]) return "same-die";
    if (this.interconnect === "fsb") return "not-shared";
    if (this.corePackage[a] === this.corePackage[b]) return "same-package";
    const h = this.hops(a, b);
    return (HOP_WORDS[h] ? `${HOP_WORDS[h]}-hop` : `${h}-hop`) as PairClass;
  }

  /** The description as JSON, with the costs in force filled in. */
  toJSON(): MachineDescription {
    return { ...this.description, costs: this.costs };
  }
}

function checkWhole(d: ParsedDescription): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const seenCore = new Map<number, string>();
  const seenPkg = new Set<number>();
  d.packages.forEach((p, pi) => {
    if (seenPkg.has(p.id)) issues.push({ field: `packages[${pi}].id`, reason: `duplicate package id ${p.id}` });
    seenPkg.add(p.id);
    p.dies.forEach((die, di) =>
      die.cores.forEach((c, ci) => {
        const field = `packages[${pi}].dies[${di}].cores[${ci}]`;
        const prev = seenCore.get(c);
        if (prev) issues.push({ field, reason: `duplicate core id ${c} (also at ${prev})` });
        else seenCore.set(c, field);
      }),
    );
  });
  const n = seenCore.size;
  if (n > MAX_CORES) issues.push({ field: "packages", reason: `${n} cores; at most ${MAX_CORES} are supported` });
  for (const [c, field] of seenCore) {
    if (c >= n) issues.push({ field, reason: `core ids must be dense 0..${n - 1}; ${c} is out of range` });
  }
  const corePkg = new Map<number, number>();
  d.packages.forEach((p) => p.dies.forEach((die) => die.cores.forEach((c) => corePkg.set(c, p.id))));
  d.sharedCaches.forEach((cache, ci) => {
    const pkgs = new Set<number>();
    const seen = new Set<number>();
    cache.cores.forEach((c, k) => {
      if (seen.has(c)) issues.push({ field: `sharedCaches[${ci}].cores[${k}]`, reason: `core ${c} is listed twice` });
      seen.add(c);
      if (!corePkg.has(c)) issues.push({ field: `sharedCaches[${ci}].cores[${k}]`, reason: `no core ${c}` });
      else pkgs.add(corePkg.get(c)!);
    });
    if (seen.size < 2) issues.push({ field: `sharedCaches[${ci}].cores`, reason: "a shared cache is shared by at least two cores" });
    if (pkgs.size > 1) issues.push({ field: `sharedCaches[${ci}].cores`, reason: "a shared cache cannot span packages" });
  });
  if (d.interconnect.type === "hypertransport") {
    d.interconnect.links.forEach(([a, b], li) => {
      if (!seenPkg.has(a)) issues.push({ field: `interconnect.links[${li}][0]`, reason: `no package ${a}` });
      if (!seenPkg.has(b)) issues.push({ field: `interconnect.links[${li}][1]`, reason: `no package ${b}` });
      if (a === b) issues.push({ field: `interconnect.links[${li}]`, reason: "a link joins two different packages" });
    });
    if (!issues.length && d.packages.length > 1) {
      const ids = d.packages.map((p) => p.id);
      const h = hopMatrix(d, ids);
      const unreached = ids.filter((_, i) => h[i] < 0);
      if (unreached.length) {
        issues.push({
          field: "interconnect.links",
          reason: `the interconnect is disconnected: package(s) ${unreached.join(", ")} cannot be reached from package ${ids[0]}`,
        });
      }
    }
  }
  if (d.interconnect.type === "fsb") {
    d.packages.forEach((p, pi) => {
      if (p.links) issues.push({ field: `packages[${pi}].links`, reason: "a front-side-bus machine has no links between packages: set links only on a hypertransport machine" });
    });
  }
  d.memoryControllers.forEach((m, mi) => {
    if (m.package !== undefined && !seenPkg.has(m.package)) {
      issues.push({ field: `memoryControllers[${mi}].package`, reason: `no package ${m.package}` });
    }
  });
  if (d.latencyMatrix) {
    const rows = d.latencyMatrix.values;
    if (rows.length !== n) {
      issues.push({ field: "latencyMatrix.values", reason: `must have ${n} rows (one per core), has ${rows.length}` });
    } else {
      rows.forEach((r, i) => {
        if (r.length !== n) issues.push({ field: `latencyMatrix.values[${i}]`, reason: `must have ${n} columns, has ${r.length}` });
      });
      issues.push(...latencyIssues(d.latencyMatrix, d.clockGHz));
    }
  }
  return issues;
}

/** Past this many bad cells, a latency matrix's problems are summed up in one issue. */
const MAX_CELL_ISSUES = 10;

/** A core's latency to itself is 0; between two cores it is > 0 and, in cycles, at most MAX_CYCLES_COST (description.ts). */
function latencyIssues(m: { unit: "ns" | "cycles"; values: number[][] }, ghz: number): FieldIssue[] {
  const issues: FieldIssue[] = [];
  let more = 0;
  const scale = m.unit === "ns" ? ghz : 1;
  m.values.forEach((row, a) =>
    row.forEach((v, b) => {
      const reason =
        a === b
          ? v !== 0 && "a core's latency to itself must be 0 (blank in a CSV)"
          : v === 0
            ? "must be > 0: no line moves between two cores in no time"
            : v * scale > MAX_CYCLES_COST && `${v} ${m.unit} is ${v * scale} cycles at ${ghz} GHz; at most ${MAX_CYCLES_COST} cycles`;
      if (!reason) return;
      if (issues.length < MAX_CELL_ISSUES) issues.push({ field: `latencyMatrix.values[${a}][${b}]`, reason });
      else more++;
    }),
  );
  if (more) issues.push({ field: "latencyMatrix.values", reason: `and ${more} more bad cells` });
  return issues;
}

/** Breadth-first hop counts between packages; -1 where unreachable. */
function hopMatrix(d: ParsedDescription, ids: number[]): Int32Array {
  const p = ids.length;
  const index = new Map(ids.map((id, i) => [id, i]));
  const h = new Int32Array(p * p).fill(-1);
  if (d.interconnect.type === "fsb") {
    for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) h[a * p + b] = a === b ? 0 : 1;
    return h;
  }
  const adj: number[][] = ids.map(() => []);
  for (const [a, b] of d.interconnect.links) {
    const ia = index.get(a)!;
    const ib = index.get(b)!;
    adj[ia].push(ib);
    adj[ib].push(ia);
  }
  for (let s = 0; s < p; s++) {
    h[s * p + s] = 0;
    const queue = [s];
    for (let q = 0; q < queue.length; q++) {
      const u = queue[q];
      for (const v of adj[u]) {
        if (h[s * p + v] < 0) {
          h[s * p + v] = h[s * p + u] + 1;
          queue.push(v);
        }
      }
    }
  }
  return h;
}

function toCycles(m: { unit: "ns" | "cycles"; values: number[][] }, ghz: number): Float64Array {
  const n = m.values.length;
  const out = new Float64Array(n * n);
  const scale = m.unit === "ns" ? ghz : 1;
  for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) out[a * n + b] = m.values[a][b] * scale;
  return out;
}
