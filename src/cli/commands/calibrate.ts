import { calibrate as calibration } from "../../experiments/calibration.ts";
import type { Command } from "../command.ts";
import { table } from "../table.ts";

export const calibrate: Command = {
  name: "calibrate",
  summary: "every cell of the paper's Tables 1 (LRPC) and 2 (URPC): paper, and the lrpc and urpc experiments on the model",
  flags: {},
  async run() {
    const rows = await calibration();
    const worst = Math.max(...rows.map((r) => Math.abs(r.errorPct)));
    return {
      json: { rows },
      text: [
        table(
          ["table", "machine", "pair", "metric", "paper", "model", "error %"],
          rows.map((r) => [r.table, r.machine, r.pair, r.metric, r.paper, r.model, r.errorPct.toFixed(2)]),
        ),
        "",
        `largest error: ${worst.toFixed(2)}%`,
      ].join("\n"),
    };
  },
};
