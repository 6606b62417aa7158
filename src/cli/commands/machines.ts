import { PRESET_NAMES, preset } from "../../hwmodel/index.ts";
import type { Command } from "../command.ts";
import { table } from "../table.ts";

export const machines: Command = {
  name: "machines",
  summary: "list the preset machines (the paper's four)",
  flags: {},
  run() {
    const list = PRESET_NAMES.map((name) => {
      const m = preset(name)!;
      return {
        name,
        cores: m.numCores,
        packages: m.numPackages,
        clockGHz: m.clockGHz,
        interconnect: m.interconnect,
        description: m.description.description ?? "",
      };
    });
    return {
      json: { machines: list },
      text: table(
        ["machine", "cores", "packages", "GHz", "interconnect", "description"],
        list.map((m) => [m.name, m.cores, m.packages, m.clockGHz, m.interconnect, m.description]),
      ),
    };
  },
};
