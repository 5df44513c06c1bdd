// `replay --dry-run`/`--capture` view of a Teams Workflows delivery: the body (the workflow URL is a credential and
// is not shown).

import { oneLine } from "../common/capture-text.ts";
import type { CapturedPayload, WirePayloadInput } from "../service-type.ts";
import { buildTeamsWorkflowsBody, teamsWorkflowsUrl } from "./teams-workflows-request.ts";
import type { TeamsWorkflowsServiceConfig } from "./teams-workflows-types.ts";

export interface TeamsWorkflowsWirePayload {
  type: "teams-workflows";
  body: Record<string, unknown>;
}

export function teamsWorkflowsWirePayload(
  input: WirePayloadInput<TeamsWorkflowsServiceConfig>,
): TeamsWorkflowsWirePayload {
  const where = `teams-workflows service ${JSON.stringify(input.service.name)} channel ${JSON.stringify(input.destination.recipient)}`;
  teamsWorkflowsUrl(input.service, input.destination.recipient, where);
  const body = JSON.parse(buildTeamsWorkflowsBody(input.service, input.notification, where)) as Record<
    string,
    unknown
  >;
  return { type: "teams-workflows", body };
}

export function teamsWorkflowsCaptureLine(c: CapturedPayload<TeamsWorkflowsWirePayload>): string {
  const b = c.payload.body as {
    attachments?: { content?: { body?: { text?: string }[] } }[];
    body?: { text?: string }[];
  };
  const blocks = b.attachments?.[0]?.content?.body ?? b.body ?? [];
  return `teams-workflows ${c.recipient}  ${oneLine(
    blocks
      .map((x) => x.text ?? "")
      .filter(Boolean)
      .join(" — "),
  )}`;
}
