// The machine description format: what a user writes (JSON on disk, or a body
// over the API) to describe a multicore machine. Validated with zod; the checks
// that need the whole description (ids that must exist, a connected
// interconnect) are refinements, so every error names its field.
import { z } from "zod";

export const MAX_CORES = 4096;

const id = z.number().int("must be an integer").nonnegative("must be >= 0");
const positive = (what: string) =>
  z.number({ error: `${what} must be a number` }).finite("must be finite").positive("must be > 0");

export const DieSchema = z.strictObject({
  id,
  cores: z.array(id).min(1, "a die needs at least one core"),
});

export const PackageSchema = z.strictObject({
  id,
  dies: z.array(DieSchema).min(1, "a package needs at least one die"),
});

/** A cache shared by a set of cores (private caches are implied). */
export const SharedCacheSchema = z.strictObject({
  level: z.union([z.literal(2), z.literal(3)], { error: "must be 2 or 3" }),
  cores: z.array(id).min(2, "a shared cache is shared by at least two cores"),
  sizeKiB: positive("sizeKiB").optional(),
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
  dispatcherSwitch: positive("dispatcherSwitch"),
  /** Invalidating one TLB entry (x86-64 invlpg: 95 to 320 cycles). */
  tlbInvalidate: positive("tlbInvalidate"),
  // The cache-line model (coherence.ts). Legs are latencies in cycles.
  /** A packet between a core and its package's northbridge (HyperTransport) or its die's bus interface (FSB). */
  chipLeg: positive("chipLeg"),
  /** One HyperTransport hop for a control packet, router included, serialisation excluded; on an FSB, a bus transaction from its start to the data at the die. */
  hopLeg: positive("hopLeg"),
  /** A package (or die) looking a probe up in its caches and answering it. */
  probeLookup: positive("probeLookup"),
  /** The home agent (HyperTransport) or the bus (FSB) has homeSlots request slots; a transaction holds one this many cycles from its start. */
  homeOccupancy: z.number().finite().nonnegative("must be >= 0"),
  homeSlots: z.number().int("must be an integer").min(1, "must be >= 1").max(16, "must be <= 16"),
  /** The shared L2 snooping a die-mate and answering, when no other die is involved: no bus (FSB only). */
  dieTransfer: z.number().finite().nonnegative("must be >= 0"),
  /** The shared L2 starts one such transfer per this many cycles (FSB only). */
  dieOccupancy: z.number().finite().nonnegative("must be >= 0"),
  /** Bandwidth of one interconnect link, per direction, in bytes per ns (GB/s). */
  linkGBps: positive("linkGBps"),
  /** A DRAM access at the home memory controller, in ns. */
  memoryNs: positive("memoryNs"),
  /** Whether a core's load may miss while its older stores still wait for their lines (x86-TSO allows it). */
  loadsPassStores: z.boolean({ error: "must be true or false" }),
});

export const TABLE2_LATENCY = ["round-trip", "one-way"] as const;
export type Table2Latency = (typeof TABLE2_LATENCY)[number];

export const LatencyMatrixSchema = z.strictObject({
  unit: z.enum(["ns", "cycles"], { error: 'must be "ns" or "cycles"' }),
  /** values[a][b]: one-way cache-line latency from core a to core b. */
  values: z.array(z.array(z.number().finite().nonnegative("must be >= 0"))),
});

export const MachineDescriptionSchema = z.strictObject({
  name: z.string().min(1, "must not be empty").max(64, "at most 64 characters"),
  description: z.string().max(500).optional(),
  clockGHz: positive("clockGHz"),
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
