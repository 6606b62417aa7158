// The Worker the workerd tests run (vitest.config.ts): the project's own,
// whose objects also know the relay experiment of the durable engine's tests,
// so that no test experiment reaches the production registry. Their alarms
// can be lost on purpose, as the platform may lose them, to test the watchdog.
import { Core as AppCore, Run as AppRun, Simulation as AppSimulation } from "../src/index.ts";
import type { EngineName } from "../src/engine/index.ts";
import { TEST_EXPERIMENTS } from "./core-object/relay-experiment.ts";

export { default, Registry, RpcProbe } from "../src/index.ts";

/** While an object's storage holds this key, its alarms to continue are dropped. */
export const LOSE_ALARMS = "test:lose-alarms";
/** A Run whose storage holds this key runs that many simulations at once (in place of MAX_PARALLEL_SIMULATIONS). */
export const PARALLEL = "test:parallel";
/** A Run whose storage holds this key steps each simulation under way once a slice. */
export const ONE_STEP = "test:one-step";

export class Core extends AppCore {
  protected override readonly experiments = TEST_EXPERIMENTS;
}

export class Simulation extends AppSimulation {
  protected override readonly experiments = TEST_EXPERIMENTS;

  protected override continueLater(delayMs?: number): Promise<void> {
    return this.ctx.storage.kv.get(LOSE_ALARMS) ? Promise.resolve() : super.continueLater(delayMs);
  }
}

export class Run extends AppRun {
  protected override readonly experiments = TEST_EXPERIMENTS;

  protected override parallelFor(engine: EngineName): number {
    return this.ctx.storage.kv.get<number>(PARALLEL) ?? super.parallelFor(engine);
  }

  protected override sliceMs(): number {
    return this.ctx.storage.kv.get(ONE_STEP) ? 0 : super.sliceMs();
  }

  protected override continueLater(delayMs?: number): Promise<void> {
    return this.ctx.storage.kv.get(LOSE_ALARMS) ? Promise.resolve() : super.continueLater(delayMs);
  }
}
