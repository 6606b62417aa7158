import { PAPER_LRPC, PAPER_URPC, preset } from "../../hwmodel/index.ts";
import { inProcessSimulator, PAPER_POINTS, runExperiment, type ExperimentResult } from "../../experiments/index.ts";
import type { Command } from "../command.ts";

/** The paper's evaluation, rerun in-process: Markdown tables of our figures beside the paper's, for the README. */
export const report: Command = {
  name: "report",
  summary: "rerun the paper's evaluation in-process and print Markdown tables beside the paper's figures",
  flags: {},
  async run() {
    const out: string[] = [];
    const json: Record<string, ExperimentResult> = {};
    out.push("#### Tables 1 and 2: LRPC and URPC, simulated (cycles; URPC throughput in messages per kcycle)", "");
    out.push("| machine | pair | latency | paper | throughput | paper |", "|---|---|---|---|---|---|");
    for (const name of Object.keys(PAPER_LRPC)) {
      const m = preset(name)!;
      const [l, u] = await Promise.all([
        runExperiment("lrpc", m, {}, inProcessSimulator(), "inproc"),
        runExperiment("urpc", m, {}, inProcessSimulator(), "inproc"),
      ]);
      out.push(`| ${name} | same-core (LRPC) | ${(l.result.rows[0] as { latency: number }).latency} | ${PAPER_LRPC[name]} | | |`);
      for (const row of u.result.rows as { pair: string; latency: number; throughput: number }[]) {
        const paper = PAPER_URPC.find((f) => f.machine === name && f.pair === row.pair);
        out.push(`| ${name} | ${row.pair} | ${row.latency} | ${paper?.latency ?? "-"} | ${row.throughput} | ${paper?.throughput ?? "-"} |`);
      }
      json[`urpc/${name}`] = u.result;
    }
    for (const [experiment, ref] of Object.entries(PAPER_POINTS)) {
      const { result } = await runExperiment(experiment, preset(ref.machine)!, {}, inProcessSimulator(), "inproc");
      json[experiment] = result;
      const cores = [...new Set(result.series.flatMap((s) => s.points.map((p) => p.cores)))].sort((a, b) => a - b);
      out.push("", `#### ${experiment} on ${ref.machine} (cycles per operation; paper in brackets: ${ref.note})`, "");
      out.push(`| series | ${cores.join(" | ")} |`, `|---|${cores.map(() => "---").join("|")}|`);
      for (const s of result.series) {
        const cells = cores.map((c) => {
          const ours = s.points.find((p) => p.cores === c)?.cycles;
          const paper = ref.points.find((p) => p.series === s.name && p.cores === c);
          return `${ours ?? "-"}${paper ? ` (${paper.from === "text" ? "" : "≈"}${paper.cycles})` : ""}`;
        });
        out.push(`| ${s.name} | ${cells.join(" | ")} |`);
      }
    }
    return { text: out.join("\n"), json };
  },
};
