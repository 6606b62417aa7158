// Reading a measured core-to-core latency matrix as published tools print it
// (e.g. core-to-core-latency's CSV output): comma- or whitespace-separated,
// with or without a header row of core ids and a leading column of core ids,
// blank cells on the diagonal, and often only the lower triangle, which is
// mirrored. Values are one-way cache-line latencies.
import { MachineError } from "./machine.ts";

export function parseLatencyCsv(text: string, field = "latencyMatrix"): number[][] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== "");
  const split = (l: string) => (l.includes(",") ? l.split(",") : l.trim().split(/\s+/)).map((c) => c.trim());
  let rows = lines.map(split);
  if (!rows.length) throw new MachineError([{ field, reason: "the matrix is empty" }]);
  // A header row: blank first cell, or nothing but the column indices 0..n-1.
  const head = rows[0];
  const header = head[0] === "" || head.every((c, i) => c !== "" && Number(c) === i && rows.length === head.length + 1);
  if (header) rows = rows.slice(1);
  const n = rows.length;
  // A leading index column: comes with a header, or makes a row one cell too long.
  const indexed = rows.every((r, i) => r[0] !== "" && Number(r[0]) === i) && (header || rows.some((r) => r.length === n + 1));
  if (indexed) rows = rows.map((r) => r.slice(1));
  const m: number[][] = Array.from({ length: n }, () => new Array<number>(n).fill(Number.NaN));
  rows.forEach((r, i) => {
    if (r.length > n) throw new MachineError([{ field: `${field}[${i}]`, reason: `row ${i + 1} has ${r.length} cells; the matrix has ${n} rows` }]);
    r.forEach((cell, j) => {
      if (cell === "") return;
      const v = Number(cell);
      if (!Number.isFinite(v) || v < 0) {
        throw new MachineError([{ field: `${field}[${i}][${j}]`, reason: `"${cell}" is not a non-negative number` }]);
      }
      m[i][j] = v;
    });
  });
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (!Number.isNaN(m[i][j])) continue;
      if (i === j) m[i][j] = 0;
      else if (!Number.isNaN(m[j][i])) m[i][j] = m[j][i];
      else throw new MachineError([{ field: `${field}[${i}][${j}]`, reason: "missing value (neither it nor its mirror is given)" }]);
    }
  }
  return m;
}
