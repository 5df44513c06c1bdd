// `replay --dry-run`/`--capture` view of a Teams delivery: the MessageCard (the webhook URL is a credential and is not
// shown).

import { oneLine } from "../common/capture-text.ts";
import type { CapturedPayload, WirePayloadInput } from "../service-type.ts";
import { buildTeamsBody, teamsUrl } from "./teams-request.ts";
import type { TeamsServiceConfig } from "./teams-types.ts";

export interface TeamsWirePayload {
  type: "teams";
  body: Record<string, unknown>;
}

export function teamsWirePayload(input: WirePayloadInput<TeamsServiceConfig>): TeamsWirePayload {
  const where = `teams service ${JSON.stringify(input.service.name)} channel ${JSON.stringify(input.destination.recipient)}`;
  teamsUrl(input.service, input.destination.recipient, where);
  return {
    type: "teams",
    body: JSON.parse(buildTeamsBody(input.notification, where)) as Record<string, unknown>,
  };
}

export function teamsCaptureLine(c: CapturedPayload<TeamsWirePayload>): string {
  const b = c.payload.body;
  return `teams ${c.recipient}  ${oneLine([b.title, b.text].filter((x) => typeof x === "string").join(" — "))}`;
}
