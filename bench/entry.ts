/** One row of a bench table: column name -> value. */
export type Row = Record<string, string | number>;

/** A benchmark; register it in bench/main.ts. */
export interface BenchEntry {
  /** Short id, used by `npm run bench -- --only <name>`. */
  name: string;
  /** One line saying what is measured. */
  title: string;
  run(): Promise<Row[]>;
}
