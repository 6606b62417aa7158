import { machineSummary, type PackageLinks } from "../../hwmodel/index.ts";
import { UsageError } from "../args.ts";
import type { Command } from "../command.ts";
import { DEFAULT_MACHINE, machineFlags, machineFromFlags } from "../machine-flags.ts";
import { table } from "../table.ts";

const MATRIX_TEXT_LIMIT = 64;

const clockOf = (ghz: number | undefined): string => (ghz === undefined ? "" : ` at ${ghz} GHz`);
const linksOf = (l: PackageLinks | undefined): string =>
  l ? `; its links ${[l.hopLeg !== undefined && `${l.hopLeg} cycles a hop`, l.linkGBps !== undefined && `${l.linkGBps} GB/s`].filter(Boolean).join(", ")}` : "";

export const machine: Command = {
  name: "machine",
  args: "[preset]",
  summary: "show a machine's topology and its core-to-core URPC round-trip matrix (cycles)",
  flags: machineFlags(DEFAULT_MACHINE),
  run(args) {
    const [name, ...extra] = args.positionals;
    if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}": name one machine`);
    if (name && args.flags.machine) throw new UsageError(`name the machine once, as "${name}" or as --machine ${args.flags.machine}`);
    const m = machineFromFlags({ ...args, flags: { ...args.flags, ...(name ? { machine: name } : {}) } }, DEFAULT_MACHINE, name ? "preset" : "--machine");
    const json = machineSummary(m);
    const n = json.cores;
    const roundTrip = json.roundTrip!;
    const classes = json.pairClasses;
    const topo = m.description.packages
      .map((p) => `  package ${p.id}: ${p.dies.map((d) => `die ${d.id} [${d.cores.join(" ")}]${clockOf(d.clockGHz ?? p.clockGHz)}`).join(", ")}${linksOf(p.links)}`)
      .join("\n");
    const caches = m.description.sharedCaches.map((c) => `  L${c.level} shared by [${c.cores.join(" ")}]`).join("\n") || "  none (private caches only)";
    const links =
      m.description.interconnect.type === "fsb"
        ? "  front-side bus"
        : m.description.interconnect.links.map(([a, b]) => `${a}-${b}`).join(" ") || "  none";
    const matrix =
      n <= MATRIX_TEXT_LIMIT
        ? table(["from\\to", ...roundTrip.map((_, b) => String(b))], roundTrip.map((row, a) => [a, ...row]))
        : `(${n} x ${n}: use --json for the matrix)`;
    const text = [
      `${m.name}: ${m.description.description ?? ""}`,
      `${n} cores, ${m.numPackages} packages, ${m.clockGHz} GHz${m.heterogeneous ? ` (the reference clock; cores at ${m.clocksGHz.join(", ")} GHz)` : ""}, interconnect diameter ${m.diameter} hop(s)`,
      "packages:",
      topo,
      "shared caches:",
      caches,
      `interconnect (${m.interconnect}):`,
      m.interconnect === "fsb" ? links : `  ${links}`,
      "",
      table(["pair class", "cores", "round trip (cycles)"], classes.map((c) => [c.pair, c.cores.join("-"), c.roundTrip])),
      "",
      "URPC round trip between every pair of cores (cycles):",
      matrix,
    ].join("\n");
    return { json, text };
  },
};
