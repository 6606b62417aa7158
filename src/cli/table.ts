// Plain-text tables for the CLI's human-readable output: numbers right-aligned
// (a column is numeric when every cell is a number or "-"), text left-aligned.
const NUMBER = /^-?\d+(\.\d+)?$|^-$/;

export function table(header: string[], rows: (string | number)[][]): string {
  const body = rows.map((r) => r.map(String));
  const cells = [header, ...body];
  const width = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? "").length)));
  const numeric = header.map((_, i) => body.length > 0 && body.every((r) => NUMBER.test(r[i] ?? "-")) && body.some((r) => r[i] !== "-"));
  const line = (r: string[]) => r.map((c, i) => (numeric[i] ? c.padStart(width[i]) : c.padEnd(width[i]))).join("  ").trimEnd();
  return [line(header), width.map((w) => "-".repeat(w)).join("  "), ...body.map(line)].join("\n");
}
