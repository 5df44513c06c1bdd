// GitOps muting: `<prefix>/mute-until: <RFC 3339 time>` on a Rollout or its Namespace silences every notification
// about that Rollout until then. An unparsable value mutes nothing and is reported once per object.
import type { KubeObject } from "../kube/objects.ts";

export const MUTE_UNTIL_KEY = "mute-until";

export type MuteCheck = { muted: false; problem?: string } | { muted: true; until: number; by: string };

/** RFC 3339 date-time (Date.parse alone also takes "2025" or "May 1"). */
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

export function checkMuteAnnotation(
  objects: (KubeObject | undefined)[],
  prefix: string,
  now: number,
): MuteCheck {
  let problem: string | undefined;
  for (const obj of objects) {
    const raw = obj?.metadata.annotations?.[`${prefix}/${MUTE_UNTIL_KEY}`];
    if (raw === undefined || !obj) continue;
    const what = `${obj.kind ?? "object"} ${obj.metadata.namespace ? `${obj.metadata.namespace}/` : ""}${obj.metadata.name}`;
    const until = RFC3339.test(raw.trim()) ? Date.parse(raw.trim()) : Number.NaN;
    if (!Number.isFinite(until)) {
      problem = `${what}: annotation ${prefix}/${MUTE_UNTIL_KEY}: not an RFC 3339 time: ${JSON.stringify(raw.slice(0, 64))}`;
      continue;
    }
    if (until > now) return { muted: true, until, by: `${what} (${prefix}/${MUTE_UNTIL_KEY})` };
  }
  return problem ? { muted: false, problem } : { muted: false };
}
