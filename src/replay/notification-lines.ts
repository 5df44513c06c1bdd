// How `replay` prints notifications: one JSON line per notification (--dry-run), and one short readable line per
// captured delivery (--capture). Pure.
import { serviceTypeOf } from "../sinks/registry.ts";
import type { Transition } from "../triggers/transition.ts";
import type { CapturedDelivery } from "./capture-sinks.ts";
import type { WirePayload } from "./wire-payload.ts";

export interface DryRunLine {
  trigger: string;
  kind: string;
  namespace: string;
  name: string;
  service: string;
  recipient: string;
  templates: string[];
  notification: WirePayload;
}

export function dryRunLineOf(
  t: Transition,
  destination: { service: string; recipient: string },
  templates: string[],
  notification: WirePayload,
): DryRunLine {
  return {
    trigger: t.trigger,
    kind: t.object.kind,
    namespace: t.object.namespace,
    name: t.object.name,
    service: destination.service,
    recipient: destination.recipient,
    templates,
    notification,
  };
}

/** One readable line per captured delivery, by the service type (e.g. `slack #deploys  [thread …] …`). */
export function formatCapturedLine(c: CapturedDelivery): string {
  return serviceTypeOf(c.serviceType)?.captureLine(c) ?? `${c.serviceType} ${c.service} ${c.recipient}`;
}
