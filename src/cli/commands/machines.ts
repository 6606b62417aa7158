import { PRESET_NAMES, machineListing, preset } from "../../hwmodel/index.ts";
import type { Command } from "../command.ts";
import { table } from "../table.ts";

export const machines: Command = {
  name: "machines",
  summary: "list the preset machines (the paper's four)",
  flags: {},
  run() {
    const list = PRESET_NAMES.map((name) => machineListing(preset(name)!));
    return {
      json: { machines: list },
      text: table(
        ["machine", "cores", "packages", "clock (GHz)", "interconnect", "description"],
        list.map((m) => [m.name, m.cores, m.packages, m.clockGHz, m.interconnect, m.description]),
      ),
    };
  },
};
