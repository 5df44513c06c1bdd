// `replay --dry-run`/`--capture` view of a Rocket.Chat delivery: the chat.postMessage body (the login's password and
// the session token are not shown).

import { oneLine } from "../common/capture-text.ts";
import type { CapturedPayload, WirePayloadInput } from "../service-type.ts";
import { buildRocketChatMessage, type RocketChatPostMessage, rocketChatApi } from "./rocketchat-request.ts";
import type { RocketChatServiceConfig } from "./rocketchat-types.ts";

export interface RocketChatWirePayload {
  type: "rocketchat";
  api: string;
  body: RocketChatPostMessage;
}

export const rocketChatWhere = (service: RocketChatServiceConfig, recipient: string) =>
  `rocketchat service ${JSON.stringify(service.name)} recipient ${JSON.stringify(recipient)}`;

export function rocketChatWirePayload(
  input: WirePayloadInput<RocketChatServiceConfig>,
): RocketChatWirePayload {
  const { service, destination } = input;
  const where = rocketChatWhere(service, destination.recipient);
  return {
    type: "rocketchat",
    api: rocketChatApi(service, "chat.postMessage"),
    body: buildRocketChatMessage(service, destination.recipient, input.notification, where),
  };
}

export function rocketChatCaptureLine(c: CapturedPayload<RocketChatWirePayload>): string {
  return `rocketchat ${c.recipient}  ${oneLine(c.payload.body.text)}`;
}
