// Scrubs secret-looking substrings from free text before it is stored for the console (a remote's answer, an
// error message). Delivery failures are already scrubbed of the service's own secrets (redactServiceSecrets);
// this catches what a remote may echo back: tokens, bearer credentials, URL userinfo, secret query parameters,
// webhook URLs whose path is the credential. Replace with the central redactor once it exists.
const PATTERNS: [RegExp, string][] = [
  // Slack tokens (bot, user, app-level, config)
  [/\bxox[a-z]-[A-Za-z0-9-]{6,}/g, "[redacted]"],
  [/\bxapp-[A-Za-z0-9-]{6,}/g, "[redacted]"],
  // Authorization header values
  [/\b(Bearer|Basic|token)\s+[A-Za-z0-9._~+/=-]{8,}/gi, "$1 [redacted]"],
  // user:password@ in URLs
  [/(\b[a-z][a-z0-9+.-]*:\/\/)[^/\s:@]+:[^/\s@]+@/gi, "$1[redacted]@"],
  // Slack incoming-webhook and similar credential paths
  [/(hooks\.slack\.com\/services\/)[A-Za-z0-9/_-]+/g, "$1[redacted]"],
  // secret-named query parameters and key=value pairs
  [
    /\b(token|access_token|api_key|apikey|key|secret|password|signature|sig|routing_key)=([^&\s"']+)/gi,
    "$1=[redacted]",
  ],
  [/("(?:token|password|secret|routing_key|api_key)"\s*:\s*)"[^"]*"/gi, '$1"[redacted]"'],
];

export function redactText(text: string): string {
  let out = text;
  for (const [re, replacement] of PATTERNS) out = out.replace(re, replacement);
  return out;
}
