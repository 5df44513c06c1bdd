/** What stands in for a secret value in dry-run output, captures, errors and logs. */
export const REDACTED = "[redacted]";
