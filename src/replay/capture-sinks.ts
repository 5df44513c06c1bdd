// `replay --capture`: sinks that send nothing and record what would have been sent (service, recipient, the
// service-shaped payload of wire-payload.ts). A payload the real sink would reject fails the same way here
// (permanent DeliveryError → dead letter), so a capture run shows the same outcome as a real one.
import type { ServiceType } from "../config/types.ts";
import { SERVICE_TYPES } from "../sinks/registry.ts";
import type { Delivery, DeliveryReceipt, Sink } from "../sinks/sink.ts";
import { buildWirePayload, type WirePayload } from "./wire-payload.ts";

export interface CapturedDelivery {
  jobId: string;
  service: string;
  serviceType: ServiceType;
  recipient: string;
  payload: WirePayload;
}

export interface CaptureSinks {
  sinkFor(type: ServiceType): Sink | undefined;
  readonly captured: CapturedDelivery[];
}

export function createCaptureSinks(opts: { now: Date; onCapture?(c: CapturedDelivery): void }): CaptureSinks {
  const captured: CapturedDelivery[] = [];
  const make = (type: ServiceType): Sink => ({
    type,
    async deliver(delivery: Delivery): Promise<DeliveryReceipt> {
      const payload = buildWirePayload({
        jobId: delivery.jobId,
        destination: delivery.destination,
        service: delivery.service,
        notification: delivery.notification,
        now: opts.now,
      });
      const c: CapturedDelivery = {
        jobId: delivery.jobId,
        service: delivery.destination.service,
        serviceType: type,
        recipient: delivery.destination.recipient,
        payload,
      };
      captured.push(c);
      opts.onCapture?.(c);
      return { ref: `capture-${captured.length}` };
    },
  });
  const byType = new Map<string, Sink>(SERVICE_TYPES.map((t) => [t.type, make(t.type as ServiceType)]));
  return { captured, sinkFor: (type) => byType.get(type) };
}
