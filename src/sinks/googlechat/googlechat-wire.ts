// `replay --dry-run`/`--capture` view of a Google Chat delivery: the message body (the webhook URL holds the key and
// token and is not shown).

import { oneLine } from "../common/capture-text.ts";
import type { CapturedPayload, WirePayloadInput } from "../service-type.ts";
import { googleChatRequest } from "./googlechat-request.ts";
import type { GoogleChatServiceConfig } from "./googlechat-types.ts";

export interface GoogleChatWirePayload {
  type: "googlechat";
  body: Record<string, unknown>;
}

export function googleChatWirePayload(
  input: WirePayloadInput<GoogleChatServiceConfig>,
): GoogleChatWirePayload {
  const where = `googlechat service ${JSON.stringify(input.service.name)} space ${JSON.stringify(input.destination.recipient)}`;
  return {
    type: "googlechat",
    body: googleChatRequest(input.service, input.destination.recipient, input.notification, where).body,
  };
}

export function googleChatCaptureLine(c: CapturedPayload<GoogleChatWirePayload>): string {
  const thread = (c.payload.body.thread as { threadKey?: string } | undefined)?.threadKey;
  return `googlechat ${c.recipient}  ${thread ? `[thread ${thread}] ` : ""}${oneLine(String(c.payload.body.text ?? "(card)"))}`;
}
