// The commit a github/gitlab notification acts on, as its template rendered it (repoURLPath, revisionPath): the
// errors when either is missing or is not what the type's API takes. Permanent (`invalid_message`): a retry renders
// the same.
import { truncateChars } from "../../templates/fields.ts";
import { DeliveryError } from "../sink.ts";

/** A notification its service cannot send as rendered. */
export const invalidMessage = (where: string, why: string) =>
  new DeliveryError(`${where}: ${why}`, { transient: false, code: "invalid_message" });

/** repoURLPath named no repository/project the type can use (or rendered empty). */
export function unresolvedSource(
  where: string,
  type: string,
  repoURL: string,
  what: { noun: "repository" | "project"; recipientForm: string },
): DeliveryError {
  return invalidMessage(
    where,
    repoURL
      ? `repoURLPath rendered ${JSON.stringify(truncateChars(repoURL, 100))}, not a ${what.noun} URL`
      : `repoURLPath rendered empty: annotate the Rollout's pod template with org.opencontainers.image.source, set ${type}.repoURLPath, or name the ${what.noun} as the recipient (${what.recipientForm})`,
  );
}

/** The commit revisionPath rendered, trimmed; an error when it is empty or not a commit (`isCommit`). */
export function renderedCommit(
  where: string,
  type: string,
  revision: string,
  check: { isCommit: (sha: string) => boolean; notCommit: string },
): string {
  const sha = revision.trim();
  if (!sha)
    throw invalidMessage(
      where,
      `revisionPath rendered empty: annotate the Rollout's pod template with org.opencontainers.image.revision (the commit) or set ${type}.revisionPath`,
    );
  if (!check.isCommit(sha))
    throw invalidMessage(
      where,
      `revisionPath rendered ${JSON.stringify(truncateChars(sha, 100))}, ${check.notCommit}`,
    );
  return sha;
}
