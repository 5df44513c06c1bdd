// What the contract suite (service-contract.test.ts) needs from each registered service type: a stand-in server
// for its API, a service config pointing at it that holds a secret, recipients it takes and refuses, a way to
// make the next requests fail, and what the stand-in received. One file per type in fixtures/<type>.ts
// (default export: `start`); the suite fails for a registered type without one.
import type { ServiceConfig } from "../../../src/config/types.ts";

export type ContractFailure =
  /** The next request is answered with this status; `echo` makes the error body repeat the request (and secret). */
  | { status: number; retryAfterSec?: number; echo?: boolean }
  /**
   * The answer to the next request comes after `delayMs` (longer than the sink's timeout). Whether the stand-in
   * processed it is its choice (documented in the fixture): not processed, or processed (the sink must then not
   * send twice where the service allows it to know).
   */
  | { delayMs: number };

export interface ContractFixture {
  /** A service config pointing at the stand-in (a tenant copy of it is used for the SSRF checks). */
  service: ServiceConfig;
  /** A secret value held by `service` (token, key, password, URL path …). */
  secret: string;
  /**
   * Annotations the Rollouts carry in the contract and story runs, for a type whose built-in template reads its
   * destination off the Rollout (e.g. the commit a GitHub status is for).
   */
  rolloutAnnotations?: Record<string, string>;
  /** A recipient the service takes. */
  recipient: string;
  /** Spellings of `recipient` that normalise to it (e.g. "#deploys" for "deploys"). */
  recipientAliases: string[];
  /** Recipients the service refuses (reported for the subscription). */
  badRecipients: string[];
  /** Whether the protocol has Retry-After (SMTP has none): then a 429 must carry it through. Default true. */
  retryAfter?: boolean;
  /**
   * What a permanent rejection's dead-letter reason names (default: HTTP 400 or SMTP 550; a protocol without
   * statuses names its error, e.g. NATS AUTHORIZATION_VIOLATION).
   */
  permanentReason?: RegExp;
  /** Request timeout the sink must use (ms), for the timeout case (`SinkDeps.timeoutMs`). */
  timeoutMs: number;
  /** Makes the next request to the API fail this way. */
  fail(f: ContractFailure): void;
  /**
   * Every accepted notification-carrying request, in order, as `wirePayload` shows it: the bytes sent with the
   * secret parts replaced by "[redacted]" and transport details (thread ids, idempotency metadata) removed.
   */
  sentAsWire(): unknown[];
  /** The raw text of every accepted notification-carrying request, in order (to find markers). */
  acceptedBodies(): string[];
  /** Every raw request text received (accepted or not). */
  receivedBodies(): string[];
  /** The idempotency/dedup key of every notification-carrying request received, in order; undefined if none. */
  idempotencyKeys?(): string[];
  /**
   * Service-specific checks after the canary story (test/sinks/story): threads per revision, resolve/close on
   * completion. `sent` is `sentAsWire()` of the story's deliveries.
   */
  storyChecks?(sent: unknown[]): void;
  /**
   * Whether a sent request is a follow-up the sink makes on its own (a Slack thread root, a PagerDuty resolve of
   * the Rollout's other alerts) rather than a notification's own payload.
   */
  isFollowUp?(sent: unknown): boolean;
  /** Forgets what was received (between story runs). */
  reset?(): void;
  close(): Promise<void>;
}

export type StartContractFixture = () => Promise<ContractFixture>;
