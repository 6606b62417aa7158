// The Node.js the project needs: what wrangler needs (its package.json's
// engines field), since `npm start`, the durable engine and the workerd tests
// run through it. npm scripts run on the Node 22 that the `node` dev
// dependency installs; when its install script did not run (an npm that
// refuses unapproved install scripts), they fall back on the machine's Node,
// and require-node.ts stops them with one line saying why.
import { createRequire } from "node:module";

/** Wrangler's version and the Node versions it takes, e.g. ">=22.0.0". */
export function wranglerEngine(): { wrangler: string; node: string } {
  const pkg = createRequire(import.meta.url)("wrangler/package.json") as { version: string; engines: { node: string } };
  return { wrangler: pkg.version, node: pkg.engines.node };
}

const parts = (v: string) => v.split(".").map(Number);

/** Whether version a (e.g. "20.20.2") is older than b. */
function older(a: string, b: string): boolean {
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < 3; i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) < (y[i] ?? 0);
  return false;
}

/** The least version of a range of the form ">=22.0.0", the only form wrangler's engines field has had. */
export function leastVersion(range: string): string {
  const m = /^>=\s*(\d+\.\d+\.\d+)$/.exec(range.trim());
  if (!m) throw new Error(`wrangler's engines.node is "${range}": require-node.ts reads only ">=x.y.z"`);
  return m[1];
}

/** One line saying why this Node cannot run the project, or null when it can. */
export function nodeProblem(running: string, engine: { wrangler: string; node: string }, execPath: string): string | null {
  const least = leastVersion(engine.node);
  if (!older(running, least)) return null;
  return `error: edgefish needs Node.js ${least} or later (wrangler ${engine.wrangler} does), but this is Node.js ${running} (${execPath}): the pinned Node 22 of the "node" dev dependency is missing; run npm ci with its install script allowed (README, "The two commands")`;
}
