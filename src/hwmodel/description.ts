// The machine description format: what a user writes (JSON on disk, or a body
// over the API) to describe a multicore machine. Validated with zod; the checks
// that need the whole description (ids that must exist, a connected
// interconnect) are refinements, so every error names its field.
import { z } from "zod";

export const MAX_CORES = 4096;

/*
 * Plausible ranges of the physical quantities. Outside them a description is
 * no machine, and its numbers could pass what the engine counts exactly (2^53
 * cycles of simulated time).
 * - Clock, 0.1 to 10 GHz: the paper's machines run at 2.0 to 2.8 GHz (section
 *   3); the fastest shipping x86 cores boost to about 6 GHz, and no multicore
 *   part runs below 100 MHz.
 * - Latencies and costs in cycles (a leg of a line transfer, a home's
 *   occupancy, a measured latency, a dispatcher switch, a TLB invalidation),
 *   at most 10^6:
 *   the paper's slowest are 624 cycles for a three-hop URPC round trip
 *   (amd-8x4, Table 2) and 1549 for an LRPC (Table 1); a million cycles is
 *   hundreds of microseconds on any clock, beyond any interconnect.
 * - A link's bandwidth, at most 1000 GB/s: the paper's HyperTransport links
 *   carry 3.2 to 4 GB/s a direction, today's widest links a few hundred.
 * - A DRAM access, at most 100 us: the paper's DDR2-667 takes about 50 ns;
 *   100 us is a million cycles at the fastest clock.
 * - A shared cache, at most 4 GiB: the largest L3s are about 1 GiB (AMD EPYC
 *   with 3D V-Cache: 1152 MB).
 */
export const CLOCK_GHZ = { min: 0.1, max: 10 };
export const MAX_CYCLES_COST = 1_000_000;
export const MAX_LINK_GBPS = 1000;
export const MAX_MEMORY_NS = 100_000;
export const MAX_CACHE_KIB = 4 * 1024 * 1024;

const id = z.number().int("must be an integer").nonnegative("must be >= 0");
const number = (what: string) => z.number({ error: `${what} must be a number` }).finite("must be finite");
const clock = (what: string) =>
  number(what)
    .min(CLOCK_GHZ.min, `must be ${CLOCK_GHZ.min} to ${CLOCK_GHZ.max} GHz`)
    .max(CLOCK_GHZ.max, `must be ${CLOCK_GHZ.min} to ${CLOCK_GHZ.max} GHz`);
const positive = (what: string) => number(what).positive("must be > 0");
/** A cost in cycles: > 0 (or >= 0), at most MAX_CYCLES_COST. */
const cycles = (what: string, min: "positive" | "nonnegative" = "positive") =>
  (min === "positive" ? positive(what) : number(what).nonnegative("must be >= 0")).max(MAX_CYCLES_COST, `at most ${MAX_CYCLES_COST} cycles`);

/*
 * Heterogeneous machines. The machine's clockGHz is its reference clock: the
 * unit of simulated time, of every latency among the costs (the line model's
 * legs, a link's occupancy, a measured matrix in cycles) and of every time a
 * result reports. A package or a die may run its cores at another clock (a
 * big/little package, an accelerator, a core held at a lower P-state): their
 * own work, counted in their own cycles (a trap, a dispatcher switch, a URPC
 * stub, a TLB invalidation), takes clockGHz / theirs reference cycles a cycle.
 * What lies outside the cores (caches, homes, links, DRAM, APICs) keeps the
 * reference clock. A package's links may be slower than the machine's.
 */

export const DieSchema = z.strictObject({
  id,
  cores: z.array(id).min(1, "a die needs at least one core"),
  /** The clock of this die's cores; its package's (or the machine's) when left out. */
  clockGHz: clock("clockGHz").optional(),
});

/** A package's HyperTransport links, when slower than the machine's: every link that touches the package takes the slower of its two ends' values. */
export const PackageLinksSchema = z.strictObject({
  /** Latency of one hop over this package's links, in reference cycles: the machine's hopLeg when left out. */
  hopLeg: cycles("hopLeg").optional(),
  /** Bandwidth of this package's links, per direction, GB/s: the machine's linkGBps when left out. */
  linkGBps: positive("linkGBps").max(MAX_LINK_GBPS, `at most ${MAX_LINK_GBPS} GB/s`).optional(),
});

export const PackageSchema = z.strictObject({
  id,
  dies: z.array(DieSchema).min(1, "a package needs at least one die"),
  /** The clock of this package's cores (a die may set its own); the machine's when left out. */
  clockGHz: clock("clockGHz").optional(),
  links: PackageLinksSchema.optional(),
});

/** A cache shared by a set of cores (private caches are implied). */
export const SharedCacheSchema = z.strictObject({
  level: z.union([z.literal(2), z.literal(3)], { error: "must be 2 or 3" }),
  cores: z.array(id).min(2, "a shared cache is shared by at least two cores"),
  sizeKiB: positive("sizeKiB").max(MAX_CACHE_KIB, `at most ${MAX_CACHE_KIB} KiB (4 GiB)`).optional(),
});

export const InterconnectSchema = z.discriminatedUnion(
  "type",
  [
    z.strictObject({
      type: z.literal("hypertransport"),
      /** Undirected point-to-point links between packages. */
      links: z.array(z.tuple([id, id])),
      /**
       * Whether each home keeps a probe filter (a directory of the packages
       * that may hold its lines) and probes only those; without one, the
       * paper's Opterons, every transaction probes every package.
       */
      probeFilter: z.boolean({ error: "must be true or false" }).default(false),
    }),
    z.strictObject({
      /** One shared front-side bus: every package is one bus transaction away. */
      type: z.literal("fsb"),
    }),
  ],
  { error: 'must be {"type":"hypertransport","links":[[a,b],..]} or {"type":"fsb"}' },
);

export const MemoryControllerSchema = z.strictObject({
  /** The package the controller hangs off; omitted for an external (FSB) controller. */
  package: id.optional(),
});

/**
 * The cost parameters of a machine, in cycles. Presets carry values calibrated
 * on the paper (see calibration.ts); a custom machine may set any of them and
 * inherits the rest from the defaults of its interconnect type.
 */
export const CostParametersSchema = z.strictObject({
  /** Switching the core to another dispatcher: address-space switch, TLB and cache refill, upcall. */
  dispatcherSwitch: cycles("dispatcherSwitch"),
  /** Invalidating one TLB entry (x86-64 invlpg: 95 to 320 cycles). */
  tlbInvalidate: cycles("tlbInvalidate"),
  // The cache-line model (coherence.ts). Legs are latencies in cycles.
  /** A packet between a core and its package's northbridge (HyperTransport) or its die's bus interface (FSB). */
  chipLeg: cycles("chipLeg"),
  /** One HyperTransport hop for a control packet, router included, serialisation excluded; on an FSB, a bus transaction from its start to the data at the die. */
  hopLeg: cycles("hopLeg"),
  /** A package (or die) looking a probe up in its caches and answering it. */
  probeLookup: cycles("probeLookup"),
  /** The home agent (HyperTransport) or the bus (FSB) has homeSlots request slots; a transaction holds one this many cycles from its start. */
  homeOccupancy: cycles("homeOccupancy", "nonnegative"),
  homeSlots: z.number().int("must be an integer").min(1, "must be >= 1").max(16, "must be <= 16"),
  /** The shared L2 snooping a die-mate and answering, when no other die is involved: no bus (FSB only). */
  dieTransfer: cycles("dieTransfer", "nonnegative"),
  /** The shared L2 starts one such transfer per this many cycles (FSB only). */
  dieOccupancy: cycles("dieOccupancy", "nonnegative"),
  /** Bandwidth of one interconnect link, per direction, in bytes per ns (GB/s). */
  linkGBps: positive("linkGBps").max(MAX_LINK_GBPS, `at most ${MAX_LINK_GBPS} GB/s`),
  /** A DRAM access at the home memory controller, in ns. */
  memoryNs: positive("memoryNs").max(MAX_MEMORY_NS, `at most ${MAX_MEMORY_NS} ns`),
  /** Whether a core's load may miss while its older stores still wait for their lines (x86-TSO allows it). */
  loadsPassStores: z.boolean({ error: "must be true or false" }),
});

export const TABLE2_LATENCY = ["round-trip", "one-way"] as const;
export type Table2Latency = (typeof TABLE2_LATENCY)[number];

export const LatencyMatrixSchema = z.strictObject({
  unit: z.enum(["ns", "cycles"], { error: 'must be "ns" or "cycles"' }),
  /** values[a][b]: one-way cache-line latency from core a to core b; 0 on the diagonal; at most MAX_CYCLES_COST cycles (checked in cycles, with the clock). */
  values: z.array(z.array(number("a latency").nonnegative("must be >= 0"))),
});

export const MachineDescriptionSchema = z.strictObject({
  name: z.string().min(1, "must not be empty").max(64, "at most 64 characters"),
  description: z.string().max(500).optional(),
  /** The reference clock (see above), and the clock of every core whose die and package set none. */
  clockGHz: clock("clockGHz"),
  packages: z.array(PackageSchema).min(1, "a machine needs at least one package"),
  sharedCaches: z.array(SharedCacheSchema).default([]),
  interconnect: InterconnectSchema,
  memoryControllers: z.array(MemoryControllerSchema).default([]),
  costs: CostParametersSchema.partial().optional(),
  latencyMatrix: LatencyMatrixSchema.optional(),
  /**
   * How the costs read the paper's Table 2 latency: a ping-pong round trip as
   * Barrelfish's ump_bench prints it (the default), or a one-way figure (as
   * Table 3 sets it beside L4's one-way IPC). The presets carry costs fitted
   * under each; the urpc experiment sets its round trips beside the paper's
   * accordingly.
   */
  table2Latency: z.enum(TABLE2_LATENCY, { error: 'must be "round-trip" or "one-way"' }).optional(),
});

export type MachineDescription = z.input<typeof MachineDescriptionSchema>;
export type ParsedDescription = z.output<typeof MachineDescriptionSchema>;
export type CostParameters = z.infer<typeof CostParametersSchema>;
export type LatencyMatrix = z.infer<typeof LatencyMatrixSchema>;
export type PackageLinks = z.infer<typeof PackageLinksSchema>;
