// `replay --dry-run`/`--capture` view of a Mattermost delivery: the POST /api/v4/posts body (without root_id and
// the job id marker: the sink sets them from the thread it keeps and the job) plus the thread plan, from the sink's
// own planMattermostPost. The token is a header and never shown.
import { oneLine } from "../common/capture-text.ts";
import type { CapturedPayload, WirePayloadInput } from "../service-type.ts";
import {
  type MattermostCreatePost,
  mattermostApi,
  mattermostCreatePost,
  planMattermostPost,
} from "./mattermost-request.ts";
import type { MattermostContent, MattermostServiceConfig } from "./mattermost-types.ts";

export interface MattermostWirePayload {
  type: "mattermost";
  api: string;
  post: MattermostCreatePost;
  thread?: { groupingKey: string; deliveryPolicy: string; root?: MattermostContent };
}

export const mattermostWhere = (service: MattermostServiceConfig, recipient: string) =>
  `mattermost service ${JSON.stringify(service.name)} channel ${JSON.stringify(recipient)}`;

export function mattermostWirePayload(
  input: WirePayloadInput<MattermostServiceConfig>,
): MattermostWirePayload {
  const { service, destination } = input;
  const where = mattermostWhere(service, destination.recipient);
  const plan = planMattermostPost(input.notification, destination.recipient, where);
  const out: MattermostWirePayload = {
    type: "mattermost",
    api: mattermostApi(service, "posts"),
    post: mattermostCreatePost(destination.recipient, plan.content),
  };
  if (plan.groupingKey) {
    out.thread = { groupingKey: plan.groupingKey, deliveryPolicy: plan.policy };
    if (plan.threadRoot) out.thread.root = plan.threadRoot;
  }
  return out;
}

/** e.g. `mattermost 4xp9…  [thread demo/canary-demo/2] Rollout demo/canary-demo has been aborted.` */
export function mattermostCaptureLine(c: CapturedPayload<MattermostWirePayload>): string {
  const p = c.payload;
  const thread = p.thread ? `[thread ${p.thread.groupingKey}] ` : "";
  const title = (p.post.props.attachments[0] as { title?: unknown } | undefined)?.title;
  const text = p.post.message || (typeof title === "string" ? title : "");
  return `mattermost ${c.recipient}  ${thread}${oneLine(text)}`;
}
