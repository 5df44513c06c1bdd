// slackUserByEmail / slackChannel / slackUserGroup: the mention helpers of argoproj/notifications-engine's
// Slack service (proposed upstream in argoproj/notifications-engine#230; in the pull request's code each
// function looks the name up through the Slack API and returns "<@USERID>", "<#CHANNELID>" or
// "<!subteam^GROUPID>", and on a failed lookup logs a warning and returns ""). Rendering here is pure, so the
// lookup goes through a resolver the caller may pass (e.g. backed by a directory cache); without one, or when
// it does not know the name, the function renders "" and reports a warning naming the function and the name,
// as upstream does when its lookup fails.
import type { GoFuncSpec } from "./sprig.ts";

export type SlackLookupKind = "userByEmail" | "channel" | "userGroup";
/** Returns the Slack ID for a name, or undefined when unknown. Must be synchronous and do no I/O. */
export type SlackResolver = (kind: SlackLookupKind, name: string) => string | undefined;

const FORMS: Record<SlackLookupKind, [fn: string, format: (id: string) => string]> = {
  userByEmail: ["slackUserByEmail", (id) => `<@${id}>`],
  channel: ["slackChannel", (id) => `<#${id}>`],
  userGroup: ["slackUserGroup", (id) => `<!subteam^${id}>`],
};

export function slackFunctions(resolve?: SlackResolver): Record<string, GoFuncSpec> {
  const out: Record<string, GoFuncSpec> = {};
  for (const [kind, [fn, format]] of Object.entries(FORMS) as [
    SlackLookupKind,
    (typeof FORMS)[SlackLookupKind],
  ][]) {
    out[fn] = {
      params: ["string"],
      fn: ([name], env) => {
        const key = kind === "channel" ? (name as string).replace(/^#/, "") : (name as string);
        const id = resolve?.(kind, key);
        if (id) return format(id);
        env.warn(`${fn}: no Slack ID known for ${JSON.stringify(name)}; rendered ""`);
        return "";
      },
    };
  }
  return out;
}

export const SLACK_FUNCTION_NAMES: readonly string[] = Object.values(FORMS).map(([fn]) => fn);
