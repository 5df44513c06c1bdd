// What the contract suite (service-contract.test.ts) needs from each registered service type: a stand-in server
// for its API, a service config pointing at it that holds a secret, recipients it takes and refuses, a way to
// make the next requests fail, and what the stand-in received. One file per type in fixtures/<type>.ts
// (default export: `start`); the suite fails for a registered type without one.
import type { ServiceConfig } from "../../../src/config/types.ts";

export type ContractFailure =
  /** The next request is answered with this status; `echo` makes the error body repeat the request (and secret). */
  | { status: number; retryAfterSec?: number; echo?: boolean }
  /** The next request is answered after `delayMs` (longer than the sink's timeout). */
  | { delayMs: number };

export interface ContractFixture {
  /** A service config pointing at the stand-in (a tenant copy of it is used for the SSRF checks). */
  service: ServiceConfig;
  /** A secret value held by `service` (token, key, password, URL path …). */
  secret: string;
  /** A recipient the service takes. */
  recipient: string;
  /** Spellings of `recipient` that normalise to it (e.g. "#deploys" for "deploys"). */
  recipientAliases: string[];
  /** Recipients the service refuses (reported for the subscription). */
  badRecipients: string[];
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
  close(): Promise<void>;
}

export type StartContractFixture = () => Promise<ContractFixture>;
