import { CALIBRATED_COSTS } from "../../src/hwmodel/index.ts";
import { tableTwo } from "./table-two.ts";
const [name, ...kv] = process.argv.slice(2);
const costs: any = { ...(CALIBRATED_COSTS as any)[name] };
for (const p of kv) { const [k, v] = p.split("="); costs[k] = v === "true" ? true : v === "false" ? false : Number(v); }
for (const c of tableTwo(name, costs)) console.log(c.pair.padEnd(13), c.latency.toFixed(1), c.paperLatency, c.latencyError.toFixed(2), "|", c.throughput.toFixed(3), c.paperThroughput, c.throughputError.toFixed(2));
