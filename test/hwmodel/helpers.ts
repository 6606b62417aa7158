// Shared checks for the hardware model's tests.
import { expect } from "vitest";
import { Machine, MachineError } from "../../src/hwmodel/index.ts";

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
