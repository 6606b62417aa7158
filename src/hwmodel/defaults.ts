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
/** Blocking and being woken by an IPI instead of polling. */
export const BLOCK_AND_WAKE = 6000;
/** Barrelfish's default: a receiver polls this long before it blocks. */
export const POLL_BUDGET = 2000;
/** A single core updating a line it already owns. */
export const LOCAL_LINE_UPDATE = 30;

/**
 * Defaults for machines that do not set their costs: the paper's 8x4-core AMD
 * for HyperTransport machines and the 2x4-core Intel for front-side-bus
 * machines (their calibrated values, see presets.ts). `linePackage` of a
 * HyperTransport machine without a preset value follows the ratio the 2x2-core
 * AMD shows between on-package and one-hop transfers (92.5 / 113).
 */
export function defaultCosts(interconnect: "hypertransport" | "fsb"): CostParameters {
  return interconnect === "fsb"
    ? {
        lineShared: 25,
        linePackage: 122.5,
        lineRemote: 122.5,
        lineHop: 0,
        occBase: 37.1,
        occPerLine: 1.836,
        dispatcherSwitch: 445,
        tlbInvalidate: 95,
      }
    : {
        lineShared: 114.5,
        linePackage: 109,
        lineRemote: 133.25,
        lineHop: 1.25,
        occBase: 359.25,
        occPerLine: 0.014,
        dispatcherSwitch: 1149,
        tlbInvalidate: 320,
      };
}
