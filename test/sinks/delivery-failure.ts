// The DeliveryError a sink's delivery rejects with; the test fails when the delivery succeeds or rejects with
// anything else.
import { expect } from "vitest";
import { DeliveryError } from "../../src/sinks/sink.ts";

export async function deliveryFailure(p: Promise<unknown>): Promise<DeliveryError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(DeliveryError);
    return err as DeliveryError;
  }
  throw new Error("delivery succeeded but a failure was expected");
}
