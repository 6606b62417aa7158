import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";

// A drive is one invocation making up to MAX_CALLS subrequests; 10,000 is the
// platform's default per-invocation subrequest limit on paid plans.
export const MAX_CALLS = 10_000;
export const MAX_IN_FLIGHT = 256;

export interface DriveResult {
  calls: number;
  inFlight: number;
  wallMs: number;
  msPerCall: number;
}

export interface ArgError {
  field: "n" | "inFlight";
  message: string;
}

export function checkDriveArgs(n: number, inFlight: number): ArgError | null {
  if (!Number.isInteger(n) || n < 1 || n > MAX_CALLS) {
    return { field: "n", message: `n must be an integer in [1, ${MAX_CALLS}]` };
  }
  if (!Number.isInteger(inFlight) || inFlight < 1 || inFlight > Math.min(n, MAX_IN_FLIGHT)) {
    return {
      field: "inFlight",
      message: `inFlight must be an integer in [1, min(n, ${MAX_IN_FLIGHT})]`,
    };
  }
  return null;
}

/**
 * Measures what one Durable-Object-to-Durable-Object JS RPC call costs on the
 * platform, the unit price of every message of the durable transport.
 */
export class RpcProbe extends DurableObject<Env> {
  ping(x: number): number {
    return x + 1;
  }

  /** Calls `ping` on the probe named `peerName` n times, `inFlight` at once. */
  async drive(peerName: string, n: number, inFlight: number): Promise<DriveResult> {
    const bad = checkDriveArgs(n, inFlight);
    if (bad) throw new RangeError(bad.message);

    const peer = this.env.RPC_PROBE.get(this.env.RPC_PROBE.idFromName(peerName));
    // Untimed: the first call may create the peer object.
    await peer.ping(0);

    let issued = 0;
    const lane = async (): Promise<void> => {
      while (issued < n) {
        const x = issued++;
        if ((await peer.ping(x)) !== x + 1) throw new Error(`ping(${x}) returned a wrong value`);
      }
    };
    // Workers clocks advance only across I/O; each RPC is I/O, so this is real wall time.
    const start = Date.now();
    await Promise.all(Array.from({ length: inFlight }, lane));
    const wallMs = Date.now() - start;
    return { calls: n, inFlight, wallMs, msPerCall: wallMs / n };
  }
}
