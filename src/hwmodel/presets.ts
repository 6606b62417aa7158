// The paper's four machines (SOSP 2009, section 3 and Table 2) and a heterogeneous one beyond it, plus a builder
// for regular machines of any size. Core c of a regular machine sits in
// package floor(c / coresPerPackage), as on the paper's AMD machines.
import { CALIBRATED_COSTS, ONE_WAY_COSTS } from "./defaults.ts";
import type { CostParameters, MachineDescription, Table2Latency } from "./description.ts";
import { Machine } from "./machine.ts";

export interface RegularMachine {
  name: string;
  description?: string;
  clockGHz: number;
  packages: number;
  diesPerPackage?: number;
  coresPerDie: number;
  /** Which cores share a cache: every core of a die (L2), of a package (L3), or none. */
  sharedCache: "die-l2" | "package-l3" | "none";
  sharedCacheKiB?: number;
  /** Package links, or the shape to generate them in. */
  links: [number, number][] | "fsb" | "ring" | "mesh";
  /** HyperTransport homes keep a probe filter (see InterconnectSchema). */
  probeFilter?: boolean;
  costs?: Partial<CostParameters>;
}

export function regularMachine(r: RegularMachine): MachineDescription {
  const dies = r.diesPerPackage ?? 1;
  const perPackage = dies * r.coresPerDie;
  const packages = Array.from({ length: r.packages }, (_, p) => ({
    id: p,
    dies: Array.from({ length: dies }, (_, d) => ({
      id: d,
      cores: Array.from({ length: r.coresPerDie }, (_, c) => p * perPackage + d * r.coresPerDie + c),
    })),
  }));
  const groups =
    r.sharedCache === "die-l2"
      ? packages.flatMap((p) => p.dies.map((d) => ({ level: 2 as const, cores: d.cores })))
      : r.sharedCache === "package-l3"
        ? packages.map((p) => ({ level: 3 as const, cores: p.dies.flatMap((d) => d.cores) }))
        : [];
  const sharedCaches = groups
    .filter((g) => g.cores.length > 1)
    .map((g) => (r.sharedCacheKiB ? { ...g, sizeKiB: r.sharedCacheKiB } : g));
  return {
    name: r.name,
    ...(r.description ? { description: r.description } : {}),
    clockGHz: r.clockGHz,
    packages,
    sharedCaches,
    interconnect: r.links === "fsb" ? { type: "fsb" } : { type: "hypertransport", links: linksFor(r.links, r.packages), ...(r.probeFilter ? { probeFilter: true } : {}) },
    memoryControllers: r.links === "fsb" ? [{}] : packages.map((p) => ({ package: p.id })),
    ...(r.costs ? { costs: r.costs } : {}),
  };
}

function linksFor(links: [number, number][] | "ring" | "mesh", n: number): [number, number][] {
  if (Array.isArray(links)) return links;
  if (links === "ring") {
    return n < 2 ? [] : n === 2 ? [[0, 1]] : Array.from({ length: n }, (_, i) => [i, (i + 1) % n] as [number, number]);
  }
  // A 2D mesh as near square as n allows.
  const w = Math.ceil(Math.sqrt(n));
  const out: [number, number][] = [];
  for (let i = 0; i < n; i++) {
    if ((i + 1) % w !== 0 && i + 1 < n) out.push([i, i + 1]);
    if (i + w < n) out.push([i, i + w]);
  }
  return out;
}

const descriptions: Record<string, MachineDescription> = {
  "intel-2x4": regularMachine({
    name: "intel-2x4",
    description: "2x4-core Intel: 2x Xeon X5355 (2 dies of 2 cores each), 4 MB L2 per die, shared front-side bus, 2.66 GHz",
    clockGHz: 2.66,
    packages: 2,
    diesPerPackage: 2,
    coresPerDie: 2,
    sharedCache: "die-l2",
    sharedCacheKiB: 4096,
    links: "fsb",
    costs: CALIBRATED_COSTS["intel-2x4"],
  }),
  "amd-2x2": regularMachine({
    name: "amd-2x2",
    description: "2x2-core AMD: 2x Opteron 2220, private 1 MB L2 per core, HyperTransport, 2.8 GHz",
    clockGHz: 2.8,
    packages: 2,
    coresPerDie: 2,
    sharedCache: "none",
    links: [[0, 1]],
    costs: CALIBRATED_COSTS["amd-2x2"],
  }),
  "amd-4x4": regularMachine({
    name: "amd-4x4",
    description: "4x4-core AMD: 4x Opteron 8380, 6 MB L3 per package, HyperTransport square, 2.5 GHz",
    clockGHz: 2.5,
    packages: 4,
    coresPerDie: 4,
    sharedCache: "package-l3",
    sharedCacheKiB: 6144,
    links: [[0, 1], [1, 3], [3, 2], [2, 0]],
    costs: CALIBRATED_COSTS["amd-4x4"],
  }),
  "amd-8x4": regularMachine({
    name: "amd-8x4",
    description: "8x4-core AMD: 8x Opteron 8350, 2 MB L3 per package, HyperTransport, 2.0 GHz",
    clockGHz: 2.0,
    packages: 8,
    coresPerDie: 4,
    sharedCache: "package-l3",
    sharedCacheKiB: 2048,
    links: [[0, 1], [0, 4], [0, 7], [1, 2], [1, 6], [2, 3], [2, 4], [3, 4], [3, 5], [4, 5], [5, 6], [6, 7]],
    costs: CALIBRATED_COSTS["amd-8x4"],
  }),
};

/** Clock of the slow cores of amd-8x4-biglittle: half the Opteron 8350's 2.0 GHz. */
const LITTLE_GHZ = 1.0;

/*
 * A heterogeneous machine beyond the paper's: amd-8x4 with big/little
 * packages. It is an illustrative configuration, not a measured machine. Its
 * parts are real: the Opteron 8350 (Barcelona, AMD Family 10h) gives each
 * core and the northbridge their own PLL ("Independent Dynamic Core
 * Technology"), so one core can run at half clock beside another at full
 * while the L3, the memory controller and the HyperTransport links keep
 * theirs (Hardware Secrets, "Inside AMD K10 Architecture"; tecchannel,
 * "AMDs K10-CPUs", 2007). Here every package holds its two lowest-numbered
 * cores at 1.0 GHz and runs the other two at 2.0 GHz, the slow cores first
 * as on boards that number their little cluster first. Each clock domain is
 * described as a die of two cores; the four share the package's L3, and the
 * line model's costs are amd-8x4's, in cycles of its 2.0 GHz.
 */
const bigLittle = regularMachine({
  name: "amd-8x4-biglittle",
  description: "amd-8x4 with big/little packages: in each package cores 4p, 4p+1 at 1.0 GHz and 4p+2, 4p+3 at 2.0 GHz (per-core clocks as Family 10h allows; an illustrative configuration)",
  clockGHz: 2.0,
  packages: 8,
  diesPerPackage: 2,
  coresPerDie: 2,
  sharedCache: "package-l3",
  sharedCacheKiB: 2048,
  links: [[0, 1], [0, 4], [0, 7], [1, 2], [1, 6], [2, 3], [2, 4], [3, 4], [3, 5], [4, 5], [5, 6], [6, 7]],
  costs: CALIBRATED_COSTS["amd-8x4"],
});
descriptions["amd-8x4-biglittle"] = {
  ...bigLittle,
  packages: bigLittle.packages.map((p) => ({ ...p, dies: p.dies.map((d) => (d.id === 0 ? { ...d, clockGHz: LITTLE_GHZ } : d)) })),
};

/** Whose fitted costs each preset carries: its own, or those of the machine it varies. */
const COSTS_OF: Record<string, keyof typeof ONE_WAY_COSTS> = {
  "intel-2x4": "intel-2x4",
  "amd-2x2": "amd-2x2",
  "amd-4x4": "amd-4x4",
  "amd-8x4": "amd-8x4",
  "amd-8x4-biglittle": "amd-8x4",
};

export const PRESET_NAMES = Object.keys(descriptions);

/** A preset's description, its costs fitted under the given reading of Table 2's latency; only the presets' own names, never a name every object has (constructor, __proto__). */
export function presetDescription(name: string, table2: Table2Latency = "round-trip"): MachineDescription | undefined {
  const d = Object.hasOwn(descriptions, name) ? descriptions[name] : undefined;
  if (!d || table2 === "round-trip") return d;
  return { ...d, costs: ONE_WAY_COSTS[COSTS_OF[name]], table2Latency: "one-way" };
}

const cache = new Map<string, Machine>();

/** A preset machine by name, or undefined. */
export function preset(name: string, table2: Table2Latency = "round-trip"): Machine | undefined {
  const d = presetDescription(name, table2);
  if (!d) return undefined;
  const key = `${name} ${table2}`;
  let m = cache.get(key);
  if (!m) cache.set(key, (m = Machine.from(d)));
  return m;
}

/**
 * A synthetic machine of `cores` cores: packages of 4 cores sharing an L3, in
 * a HyperTransport mesh. Its homes keep a probe filter: broadcasting every
 * probe to hundreds of packages is what no machine of that size does (AMD's
 * own probe filter, HT Assist, came with the six-core Opterons of 2009).
 */
export function syntheticMachine(cores: number, coresPerPackage = 4): Machine {
  if (cores % coresPerPackage !== 0) throw new RangeError(`cores must be a multiple of ${coresPerPackage}`);
  return Machine.from(
    regularMachine({
      name: `synthetic-${cores}`,
      description: `${cores} cores in packages of ${coresPerPackage} sharing an L3, HyperTransport mesh with probe filters, amd-8x4 costs`,
      clockGHz: 2.0,
      packages: cores / coresPerPackage,
      coresPerDie: coresPerPackage,
      sharedCache: coresPerPackage > 1 ? "package-l3" : "none",
      links: "mesh",
      probeFilter: true,
    }),
  );
}
