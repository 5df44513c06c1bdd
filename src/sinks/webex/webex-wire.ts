// `replay --dry-run`/`--capture` view of a Webex delivery: the /v1/messages body (the token is only in the
// Authorization header, not shown).

import { oneLine } from "../common/capture-text.ts";
import type { CapturedPayload, WirePayloadInput } from "../service-type.ts";
import { buildWebexBody, type WebexBody, webexMessagesUrl } from "./webex-request.ts";
import type { WebexServiceConfig } from "./webex-types.ts";

export interface WebexWirePayload {
  type: "webex";
  api: string;
  body: WebexBody;
}

export const webexWhere = (service: WebexServiceConfig, recipient: string) =>
  `webex service ${JSON.stringify(service.name)} recipient ${JSON.stringify(recipient)}`;

export function webexWirePayload(input: WirePayloadInput<WebexServiceConfig>): WebexWirePayload {
  const { service, destination } = input;
  return {
    type: "webex",
    api: webexMessagesUrl(service),
    body: buildWebexBody(
      destination.recipient,
      input.notification,
      webexWhere(service, destination.recipient),
    ),
  };
}

export function webexCaptureLine(c: CapturedPayload<WebexWirePayload>): string {
  return `webex ${c.recipient}  ${oneLine(c.payload.body.markdown)}`;
}
