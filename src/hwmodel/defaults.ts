// Mechanism constants shared by every machine, and the cost parameters a
// custom machine inherits when it leaves them out. Sources: the paper (SOSP
// 2009, sections 4-5 and Tables 1-3) and Barrelfish's technical notes, as
// collected in calibration.ts.
import type { CostParameters } from "./description.ts";

export const CACHE_LINE_BYTES = 64;
/** UMP/URPC: 7 payload words and a header word per 64-byte slot. */
export const PAYLOAD_WORDS = 7;
/** Default ring size of a URPC channel, in slots, per direction. */
export const RING_SLOTS = 32;

/** Sender side of a URPC message: write 7 payload words, then the header (a local line update, < 30 cycles). */
export const URPC_SEND = 16;
/** Receiver side: notice the new header while polling, read the payload, dispatch. */
export const URPC_RECEIVE = 24;
/** The user-level half of an LRPC: the target's thread-scheduler pass and dispatch to the handler. */
export const LRPC_USER_PATH = 200;
/**
 * Entering and leaving the CPU driver for a system call. Below L4's raw IPC
 * on the 2x2-core AMD (424 cycles, Table 3), which is a trap plus an
 * address-space switch.
 */
export const SYSCALL_TRAP = 200;
/** Taking an IPI: trap into the kernel and back (paper, section 5). */
export const IPI_TRAP = 800;
/** Blocking and being woken by an IPI instead of polling (a channel set up with notification). */
export const BLOCK_AND_WAKE = 6000;
/** Barrelfish's default: a receiver on a notifying channel polls this long before it blocks. */
export const POLL_BUDGET = 2000;

/** A single core updating a line it already owns. */
export const LOCAL_LINE_UPDATE = 30;

/**
 * A DRAM access at the home that misses the open row: DDR2-667 at 5-5-5 (tRP +
 * tRCD + CL = 45 ns) plus a 64-byte burst on two 64-bit channels (6 ns); the
 * Opterons' Socket F and the Xeon's FB-DIMMs are DDR2-667. It enters no Table 2
 * cell (a URPC slot always comes from a cache), only first touches.
 */
const DDR2_667_ROW_MISS_NS = 51;

/*
 * Cost parameters of the paper's four machines. dispatcherSwitch is fitted to
 * Table 1 (the one-way LRPC less a trap and the user-level dispatch: exact).
 * tlbInvalidate takes the paper's range (95-320 cycles): its low end for the
 * Core 2 Xeon, its high end for the Opterons.
 *
 * The cache-line model's (coherence.ts, interconnect.ts): the latencies are
 * fitted so that Barrelfish's URPC benchmarks, run as the urpc experiment on
 * the simulated mechanism, reproduce every Table 2 cell within 2% (`npm run
 * -s cli -- fit` refits them; `calibrate` and the calibration test check
 * them); the rest name their source. dieTransfer and dieOccupancy are the
 * Xeon's shared L2 and 0 on the Opterons, where every transfer goes through
 * the home.
 */
export const CALIBRATED_COSTS: Record<"intel-2x4" | "amd-2x2" | "amd-4x4" | "amd-8x4", CostParameters> = {
  "intel-2x4": {
    dispatcherSwitch: 445,
    tlbInvalidate: 95,
    // The line model (coherence.ts). chipLeg: half the Core 2's 14-cycle L2
    // load-to-use latency (Intel 64 and IA-32 Optimization Reference Manual);
    // probeLookup: the bus's snoop phase, 4 bus clocks of 333 MHz after the
    // request (P6-family bus protocol); hopLeg (a bus transaction, start to data
    // at the die), homeOccupancy and homeSlots (the bus), dieTransfer and
    // dieOccupancy (the shared L2): fitted to Table 2 (intel-2x4). linkGBps:
    // the 1333 MT/s, 8-byte FSB (Xeon X5355); unused, the bus is homeOccupancy.
    chipLeg: 7,
    hopLeg: 112,
    probeLookup: 32,
    homeOccupancy: 66,
    homeSlots: 1,
    dieTransfer: 15,
    dieOccupancy: 15,
    linkGBps: 10.67,
    memoryNs: DDR2_667_ROW_MISS_NS,
    // Fitted: with false the pairs stream at 10.1 and 3.36 (paper 11.97, 3.78).
    loadsPassStores: true,
  },
  "amd-2x2": {
    dispatcherSwitch: 357,
    tlbInvalidate: 320,
    // The line model. chipLeg, hopLeg, homeOccupancy, homeSlots: fitted to
    // Table 2 (amd-2x2); probeLookup tied to 2 chipLeg. loadsPassStores: false,
    // fitted to its throughput: with loads passing stores the one-hop pair
    // streams at 3.39 (paper 3.19); the K8 core has no memory disambiguation,
    // which Family 10h and the Core 2 brought. linkGBps: 16-bit HyperTransport
    // at 1 GHz, double-pumped, on the Opteron 2220 (K8 rev F).
    chipLeg: 18,
    hopLeg: 5,
    probeLookup: 36,
    homeOccupancy: 220,
    homeSlots: 3,
    dieTransfer: 0,
    dieOccupancy: 0,
    linkGBps: 4,
    memoryNs: DDR2_667_ROW_MISS_NS,
    loadsPassStores: false,
  },
  "amd-4x4": {
    dispatcherSwitch: 1063,
    tlbInvalidate: 320,
    // The line model. chipLeg, hopLeg, homeOccupancy, homeSlots: fitted to
    // Table 2 (amd-4x4); probeLookup tied to 2 chipLeg. loadsPassStores: true,
    // fitted (with false the remote pairs stream at 3.23, paper 3.53).
    // linkGBps: 16-bit HyperTransport 1.1 at its top clock, 800 MHz: the first
    // Shanghai 8000-series platforms ran HT 1.1 (h-online, 2008).
    chipLeg: 17,
    hopLeg: 3,
    probeLookup: 34,
    homeOccupancy: 211,
    homeSlots: 3,
    dieTransfer: 0,
    dieOccupancy: 0,
    linkGBps: 3.2,
    memoryNs: DDR2_667_ROW_MISS_NS,
    loadsPassStores: true,
  },
  "amd-8x4": {
    dispatcherSwitch: 1149,
    tlbInvalidate: 320,
    // The line model. chipLeg, hopLeg, homeOccupancy, homeSlots: fitted to
    // Table 2 (amd-8x4); probeLookup tied to 2 chipLeg. loadsPassStores: Table
    // 2 cannot tell here (the home bounds the stream either way); true, as on
    // the other Family 10h machine. linkGBps: 16-bit HyperTransport at 1 GHz on
    // the Opteron 8350 (Barcelona).
    chipLeg: 26,
    hopLeg: 1,
    probeLookup: 52,
    homeOccupancy: 361,
    homeSlots: 4,
    dieTransfer: 0,
    dieOccupancy: 0,
    linkGBps: 4,
    memoryNs: DDR2_667_ROW_MISS_NS,
    loadsPassStores: true,
  },
};

/**
 * The same machines' costs fitted the same way (`npm run -s cli -- fit
 * --assume one-way`) to Table 2 read as one-way latencies: ump_bench's round
 * trip is then twice the table's figure. Only the fitted values differ. The
 * mechanism fits this reading less well (errors up to 16%, against 2%).
 */
export const ONE_WAY_COSTS: typeof CALIBRATED_COSTS = {
  "intel-2x4": { ...CALIBRATED_COSTS["intel-2x4"], chipLeg: 7, hopLeg: 232, probeLookup: 32, homeOccupancy: 0, homeSlots: 1, dieTransfer: 45, dieOccupancy: 0, loadsPassStores: true },
  "amd-2x2": { ...CALIBRATED_COSTS["amd-2x2"], chipLeg: 36, hopLeg: 28, probeLookup: 72, homeOccupancy: 198, homeSlots: 3, dieTransfer: 0, dieOccupancy: 0, loadsPassStores: true },
  "amd-4x4": { ...CALIBRATED_COSTS["amd-4x4"], chipLeg: 32, hopLeg: 16, probeLookup: 64, homeOccupancy: 117, homeSlots: 2, dieTransfer: 0, dieOccupancy: 0, loadsPassStores: true },
  "amd-8x4": { ...CALIBRATED_COSTS["amd-8x4"], chipLeg: 56, hopLeg: 3, probeLookup: 112, homeOccupancy: 77, homeSlots: 1, dieTransfer: 0, dieOccupancy: 0, loadsPassStores: true },
};

/**
 * Defaults for machines that do not set their costs: the paper's 8x4-core AMD
 * for HyperTransport machines and the 2x4-core Intel for front-side-bus
 * machines.
 */
export function defaultCosts(interconnect: "hypertransport" | "fsb"): CostParameters {
  return CALIBRATED_COSTS[interconnect === "fsb" ? "intel-2x4" : "amd-8x4"];
}
