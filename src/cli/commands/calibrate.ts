import { calibrate as calibration, type CalibrationRow } from "../../experiments/calibration.ts";
import type { Command } from "../command.ts";
import { ASSUME_FLAG, table2FromFlags } from "../machine-flags.ts";
import { table } from "../table.ts";

/** The unit of each metric of Tables 1 and 2. */
const UNIT_OF: Record<CalibrationRow["metric"], string> = { latency: "cycles", throughput: "msgs/kcycle" };

export const calibrate: Command = {
  name: "calibrate",
  summary: "every cell of the paper's Tables 1 (LRPC) and 2 (URPC): paper, and the lrpc and urpc experiments on the model",
  flags: ASSUME_FLAG,
  async run(args) {
    const rows = await calibration(table2FromFlags(args));
    const worst = Math.max(...rows.map((r) => Math.abs(r.errorPct)));
    return {
      json: { rows },
      text: [
        table(
          ["table", "machine", "pair", "metric (unit)", "paper", "model", "error (%)"],
          rows.map((r) => [r.table, r.machine, r.pair, `${r.metric} (${UNIT_OF[r.metric]})`, r.paper, r.model, r.errorPct.toFixed(2)]),
        ),
        "",
        `largest error: ${worst.toFixed(2)}%`,
      ].join("\n"),
    };
  },
};
