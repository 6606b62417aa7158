// The Worker the workerd tests run (vitest.config.ts): the project's own,
// whose objects also know the relay experiment of the durable engine's tests,
// so that no test experiment reaches the production registry.
import { Core as AppCore, Run as AppRun, Simulation as AppSimulation } from "../src/index.ts";
import { TEST_EXPERIMENTS } from "./core-object/relay-experiment.ts";

export { default, Registry, RpcProbe } from "../src/index.ts";

export class Core extends AppCore {
  protected override readonly experiments = TEST_EXPERIMENTS;
}

export class Simulation extends AppSimulation {
  protected override readonly experiments = TEST_EXPERIMENTS;
}

export class Run extends AppRun {
  protected override readonly experiments = TEST_EXPERIMENTS;
}
