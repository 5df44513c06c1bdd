// Every spelling of a service config's secrets, for the central redactor (src/redaction): each type names its
// secret strings (`secrets` in its definition); here they are expanded into every encoding we send or a remote
// may echo (raw, base64, URL-encoded, JSON-escaped), with the token of a `Bearer …`/`Basic …` value, and the
// userinfo and credential-named query values of any URL in the config.
import type { ServiceConfig } from "../config/types.ts";
import { basicAuthEncodings, MIN_SECRET_LENGTH, secretEncodings } from "../redaction/secret-redactor.ts";
import { serviceTypeOf } from "./registry.ts";

const CREDENTIAL_NAME = /auth|token|key|secret|signature|password|cookie|session|credential/i;

function urlSpellings(raw: string): string[] {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) return [];
  try {
    const u = new URL(raw);
    const out: string[] = [];
    if (u.password) {
      out.push(
        ...basicAuthEncodings(decodeURIComponent(u.username), decodeURIComponent(u.password)),
        u.password,
        `${u.username}:${u.password}`,
      );
    } else if (u.username) out.push(...secretEncodings(decodeURIComponent(u.username)));
    for (const [k, v] of u.searchParams) if (CREDENTIAL_NAME.test(k)) out.push(...secretEncodings(v));
    return out;
  } catch {
    return [];
  }
}

/** The parts of a URL that may be a credential: long path segments (tokens, ids) and query values, userinfo. */
function urlCredentialParts(raw: string): string[] {
  try {
    const u = new URL(raw);
    return [
      ...u.pathname
        .split("/")
        .filter((p) => p.length >= 16)
        .map(decodeURIComponent),
      ...[...u.searchParams.values()].filter((v) => v.length >= 8),
    ];
  } catch {
    return [];
  }
}

/**
 * The secret strings of one service config in every spelling. A type may name a whole URL as secret (an
 * incoming-webhook URL embeds its token): with `wholeUrls` false — the process-wide redactor, which scrubs every
 * log line and dry-run — only the URL's credential-like parts are taken, so an endpoint stays readable
 * (`https://api.github.com/repos/…/dispatches`) while a token in its path or query does not.
 */
export function serviceSecretSpellings(service: ServiceConfig, opts: { wholeUrls: boolean }): string[] {
  const out: string[] = [];
  for (const raw of serviceTypeOf(service.type)?.secrets(service) ?? []) {
    if (typeof raw !== "string" || raw.length < MIN_SECRET_LENGTH) continue;
    const isUrl = /^https?:\/\//i.test(raw);
    if (isUrl && !opts.wholeUrls) {
      for (const part of urlCredentialParts(raw)) out.push(...secretEncodings(part));
      out.push(...urlSpellings(raw));
      continue;
    }
    if (raw.startsWith("/") && !opts.wholeUrls) continue; // a URL's path + query: its long parts are taken above
    out.push(...secretEncodings(raw), ...urlSpellings(raw));
    const scheme = /^(?:bearer|token|basic)\s+(.+)$/i.exec(raw);
    if (scheme) out.push(...secretEncodings(scheme[1]!));
  }
  // URLs that are not secret as a whole may still carry credentials (an apiURL with userinfo)
  for (const value of Object.values(service)) if (typeof value === "string") out.push(...urlSpellings(value));
  return out;
}
