// Shared checks for the hardware model's tests.
import { expect } from "vitest";
import { Machine, MachineError, type MachineDescription } from "../../src/hwmodel/index.ts";

/** The issues a description that is not a machine is refused with; one that is fails the test. */
export function issues(input: unknown): { field: string; reason: string }[] {
  try {
    Machine.from(input);
  } catch (e) {
    expect(e).toBeInstanceOf(MachineError);
    return (e as MachineError).issues;
  }
  throw new Error("expected the description to be rejected");
}

/** Round costs for hand-worked line-model cases, at 1 GHz: legs of 10 (on chip) and 20 (a hop), a probe lookup of 5, links of 4 bytes a cycle, DRAM 100. */
export const htCosts = { chipLeg: 10, hopLeg: 20, probeLookup: 5, homeOccupancy: 0, homeSlots: 1, dieTransfer: 0, dieOccupancy: 0, linkGBps: 4, memoryNs: 100 };

/** Two packages of two cores (0,1 | 2,3), one HyperTransport link. */
export function duo(costs: Partial<typeof htCosts> = {}): Machine {
  const d: MachineDescription = {
    name: "duo",
    clockGHz: 1,
    packages: [
      { id: 0, dies: [{ id: 0, cores: [0, 1] }] },
      { id: 1, dies: [{ id: 0, cores: [2, 3] }] },
    ],
    interconnect: { type: "hypertransport", links: [[0, 1]] },
    memoryControllers: [{ package: 0 }, { package: 1 }],
    costs: { ...htCosts, ...costs },
  };
  return Machine.from(d);
}
