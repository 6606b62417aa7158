import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env.ts";
import { checkDriveArgs, type DriveResult, type ProbeApi } from "./protocol.ts";
import { probeStub } from "./stubs.ts";


/**
 * Measures what one Durable-Object-to-Durable-Object JS RPC call costs on the
 * platform, the unit price of every message of the durable transport.
 */
export class RpcProbe extends DurableObject<Env> implements ProbeApi {
  ping(x: number): number {
    return x + 1;
  }

  /** Calls `ping` on the probe named `peerName` n times, `inFlight` at once. */
  async drive(peerName: string, n: number, inFlight: number): Promise<DriveResult> {
    const bad = checkDriveArgs(n, inFlight);
    if (bad) throw new RangeError(bad.message);

    const peer = probeStub(this.env.RPC_PROBE, peerName);
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
