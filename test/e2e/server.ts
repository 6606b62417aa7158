// The e2e tests' server: `npm start` (the supervisor around `wrangler dev`,
// which builds web/vendor first) on a free port with a state directory of its
// own, started once for every e2e file through the helpers the server's own
// test and the reliability soak use; stopped, with its whole process group,
// at the end. It runs one run at a time (MAX_CONCURRENT_RUNS=1), so that a
// test can put a run in the queue behind another. EDGEFISH_E2E_URL points the tests at a server already running
// instead.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { answers, freePort, npmStart, stop, until } from "../../src/cli/local-server.ts";

declare module "vitest" {
  export interface ProvidedContext {
    baseUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const given = process.env.EDGEFISH_E2E_URL;
  if (given) {
    project.provide("baseUrl", given.replace(/\/$/, ""));
    return async () => {};
  }
  const port = await freePort();
  const state = await mkdtemp(join(tmpdir(), "edgefish-e2e-"));
  const server = npmStart(port, state, ["--var", "MAX_CONCURRENT_RUNS:1"]);
  const end = async () => {
    await stop(server);
    server.proc.stdout!.destroy();
    server.proc.stderr!.destroy();
    await rm(state, { recursive: true, force: true });
  };
  try {
    await until(server, `an answer on port ${port}`, () => answers(port));
  } catch (e) {
    await end();
    throw e;
  }
  project.provide("baseUrl", `http://127.0.0.1:${port}`);
  return end;
}
