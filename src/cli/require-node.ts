// Imported first by every entry point (the CLI, `npm start`, the bench) and
// run before `npm test`: stop at once, in one line, on a Node.js too old for
// wrangler rather than fail later in a confusing way.
import { nodeProblem, wranglerEngine } from "./node-version.ts";

const problem = nodeProblem(process.versions.node, wranglerEngine(), process.execPath);
if (problem) {
  console.error(problem);
  process.exit(1);
}
