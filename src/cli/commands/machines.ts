import { PRESET_NAMES, machineListing, preset, type MachineListing } from "../../hwmodel/index.ts";
import type { Command } from "../command.ts";
import { table } from "../table.ts";

/** The reference clock, and the cores' own when they differ (worded as `machine` words them). */
const clocks = (m: MachineListing): string =>
  m.coreClocksGHz.length === 1 && m.coreClocksGHz[0] === m.clockGHz ? String(m.clockGHz) : `${m.clockGHz} (reference; cores at ${m.coreClocksGHz.join(", ")})`;

export const machines: Command = {
  name: "machines",
  summary: "list the preset machines (the paper's four, and a heterogeneous one)",
  flags: {},
  run() {
    const list = PRESET_NAMES.map((name) => machineListing(preset(name)!));
    return {
      json: { machines: list },
      text: table(
        ["machine", "cores", "packages", "clock (GHz)", "interconnect", "description"],
        list.map((m) => [m.name, m.cores, m.packages, clocks(m), m.interconnect, m.description]),
      ),
    };
  },
};
