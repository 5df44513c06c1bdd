// `replay --dry-run`/`--capture` view of a Pushover delivery: the Messages API form without the token.

import { oneLine } from "../common/capture-text.ts";
import type { CapturedPayload, WirePayloadInput } from "../service-type.ts";
import { buildPushoverForm, type PushoverForm, pushoverMessagesUrl } from "./pushover-request.ts";
import type { PushoverServiceConfig } from "./pushover-types.ts";

export interface PushoverWirePayload {
  type: "pushover";
  api: string;
  form: PushoverForm;
}

export const pushoverWhere = (service: PushoverServiceConfig, recipient: string) =>
  `pushover service ${JSON.stringify(service.name)} recipient ${JSON.stringify(recipient)}`;

export function pushoverWirePayload(input: WirePayloadInput<PushoverServiceConfig>): PushoverWirePayload {
  const { service, destination } = input;
  const where = pushoverWhere(service, destination.recipient);
  return {
    type: "pushover",
    api: pushoverMessagesUrl(service),
    form: buildPushoverForm(destination.recipient, input.notification, where),
  };
}

export function pushoverCaptureLine(c: CapturedPayload<PushoverWirePayload>): string {
  const f = c.payload.form;
  return `pushover ${c.recipient}  ${oneLine([f.title, f.message].filter(Boolean).join(" — "))}`;
}
