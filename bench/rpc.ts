import type { DriveResult } from "../src/core-object/protocol.ts";
import type { BenchEntry, Row } from "./entry";
import { startWorker } from "../src/cli/local-worker.ts";

const REPS = 5;
// Workers clocks tick in whole ms, so each drive must last a few hundred ms.
const CASES = [
  { inFlight: 1, n: 2000 },
  { inFlight: 16, n: 10000 },
  { inFlight: 64, n: 10000 },
];

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const round4 = (x: number): number => Math.round(x * 1e4) / 1e4;

const rpc: BenchEntry = {
  name: "rpc",
  title: "one DO-to-DO JS RPC call in local workerd (Miniflare), timed inside the calling DO",
  async run() {
    const worker = await startWorker();
    try {
      const rows: Row[] = [];
      for (const { inFlight, n } of CASES) {
        const path = `/__bench/rpc?n=${n}&inFlight=${inFlight}`;
        await worker.getJson<DriveResult>(path); // JIT and object warm-up
        const ms: number[] = [];
        for (let i = 0; i < REPS; i++) ms.push((await worker.getJson<DriveResult>(path)).msPerCall);
        const med = median(ms);
        rows.push({
          inFlight,
          calls: n,
          reps: REPS,
          "ms/call (median)": round4(med),
          "ms/call (min)": round4(Math.min(...ms)),
          "calls/s": Math.round(1000 / med),
        });
      }
      return rows;
    } finally {
      await worker.dispose();
    }
  },
};

export default rpc;
