// NATS sink: as upstream, connect (user/password when both are set, or an NKey seed), publish the message to the
// subject (the recipient) with the service's headers, close. Before closing, a flush (PING/PONG) makes sure the server
// has processed the PUB, and a permissions violation it answers is reported. Nats-Msg-Id = the job id, so a JetStream
// stream on the subject drops a retried duplicate (a timeout after the server took the message is retried).
// Failures: refused/closed connections and timeouts are transient; authorization and permissions violations, a
// payload over the server's max_payload and a bad subject permanent. For a namespace-defined service, every server
// host is resolved and checked by the SSRF guard, and the connection made to the checked address (no cluster
// gossip is followed).
// The NATS client is loaded by the first delivery, not with the service: most installations never configure NATS,
// and every service type's sink is created at start (create-sinks.ts).
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import type { ConnectionOptions, NatsConnection } from "nats";
import type { Logger } from "../../logger.ts";
import { blockedAddressDeliveryError, deliveryErrorForNetwork, messageOf } from "../delivery-errors.ts";
import { blockedAddressReason } from "../http/blocked-addresses.ts";
import { BlockedAddressError } from "../http/guarded-connector.ts";
import { type Delivery, DeliveryError, type DeliveryReceipt, type Sink } from "../sink.ts";
import { buildNatsPublish, type NatsServer, parseNatsServers } from "./nats-request.ts";
import type { NatsServiceConfig } from "./nats-types.ts";
import { natsWhere } from "./nats-wire.ts";

export const NATS_TIMEOUT_MS = 15_000;

export interface NatsSinkOptions {
  logger: Logger;
  timeoutMs?: number;
  allowPrivateNetworks?: boolean;
}

/** NATS error codes that no retry can fix. */
const PERMANENT_CODES = new Set([
  "AUTHORIZATION_VIOLATION",
  "AUTHENTICATION_EXPIRED",
  "AUTHENTICATION_TIMEOUT",
  "PERMISSIONS_VIOLATION",
  "MAX_PAYLOAD_EXCEEDED",
  "BAD_HEADER",
  "BAD_SUBJECT",
  "BAD_AUTHENTICATION",
]);

export class NatsSink implements Sink<NatsServiceConfig> {
  readonly type = "nats" as const;
  readonly #opts: NatsSinkOptions;

  constructor(opts: NatsSinkOptions) {
    this.#opts = opts;
  }

  async deliver(delivery: Delivery<NatsServiceConfig>): Promise<DeliveryReceipt> {
    const service = delivery.service;
    const subject = delivery.destination.recipient;
    const where = natsWhere(service, subject);
    const publish = buildNatsPublish(delivery.jobId, subject, service, delivery.notification, where);
    const parsed = parseNatsServers(service.url);
    if ("problem" in parsed)
      throw new DeliveryError(`${where}: url ${parsed.problem}`, {
        transient: false,
        code: "invalid_config",
      });
    const timeoutMs = this.#opts.timeoutMs ?? NATS_TIMEOUT_MS;
    const guard = delivery.tenantNamespace !== undefined && !this.#opts.allowPrivateNetworks;
    const { connect, Events, headers: natsHeaders, nkeyAuthenticator } = await loadNats();
    let nc: NatsConnection | undefined;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(Object.assign(new Error("NATS request timed out"), { code: "ETIMEDOUT" })),
        timeoutMs,
      );
    });
    const violations: string[] = [];
    let finished = false;
    try {
      const servers = await Promise.race([serverAddresses(parsed.servers, guard), deadline]);
      const connecting = connect(
        connectionOptions(service, parsed.servers, servers, timeoutMs, nkeyAuthenticator),
      );
      // a connection made after the deadline is closed at once
      connecting.then(
        (c) => (finished ? void c.close().catch(() => {}) : undefined),
        () => {},
      );
      nc = await Promise.race([connecting, deadline]);
      const statuses = nc.status();
      void (async () => {
        for await (const s of statuses)
          if (s.type === Events.Error && typeof s.data === "string") violations.push(s.data);
      })();
      const h = natsHeaders();
      for (const [k, v] of Object.entries(publish.headers)) h.set(k, v);
      nc.publish(publish.subject, new TextEncoder().encode(publish.data), { headers: h });
      await Promise.race([nc.flush(), deadline]);
    } catch (err) {
      throw (
        blockedAddressDeliveryError(where, delivery.tenantNamespace, err) ?? natsDeliveryError(where, err)
      );
    } finally {
      finished = true;
      clearTimeout(timer);
      if (nc) await nc.close().catch(() => {});
    }
    const violation = violations.find((v) => PERMANENT_CODES.has(v));
    if (violation)
      throw new DeliveryError(`${where}: the server refused the message: ${violation}`, {
        transient: false,
        code: violation.toLowerCase(),
      });
    this.#opts.logger.debug(
      { jobId: delivery.jobId, ...(delivery.about ?? {}), service: service.name, recipient: subject },
      "nats message published",
    );
    return {};
  }
}

type NatsClient = typeof import("nats");
let natsClient: Promise<NatsClient> | undefined;

function loadNats(): Promise<NatsClient> {
  natsClient ??= import("nats");
  return natsClient;
}

function connectionOptions(
  service: NatsServiceConfig,
  declared: NatsServer[],
  servers: string[],
  timeoutMs: number,
  nkeyAuthenticator: NatsClient["nkeyAuthenticator"],
): ConnectionOptions {
  const opts: ConnectionOptions = {
    servers,
    name: "rollouts-notifier",
    timeout: timeoutMs,
    reconnect: false,
    ignoreClusterUpdates: true,
    noRandomize: true,
    waitOnFirstConnect: false,
  };
  const first = declared[0];
  if (first?.tls) {
    const tls: { servername?: string } = {};
    if (isIP(first.host) === 0) tls.servername = first.host;
    opts.tls = tls as ConnectionOptions["tls"];
  }
  const fromUrl = declared.find((s) => s.url.username !== "");
  if (service.nkey) opts.authenticator = nkeyAuthenticator(new TextEncoder().encode(service.nkey));
  if (service.username && service.password) {
    opts.user = service.username;
    opts.pass = service.password;
  } else if (fromUrl) {
    // nats://user:pass@host or nats://token@host, as the Go client reads them
    if (fromUrl.url.password) {
      opts.user = decodeURIComponent(fromUrl.url.username);
      opts.pass = decodeURIComponent(fromUrl.url.password);
    } else opts.token = decodeURIComponent(fromUrl.url.username);
  }
  return opts;
}

/**
 * host:port of every server. Under the SSRF guard a host name is resolved here, every answer checked, and the
 * checked address is what the client connects to.
 */
async function serverAddresses(servers: NatsServer[], guard: boolean): Promise<string[]> {
  const out: string[] = [];
  for (const s of servers) {
    let address = s.host;
    if (guard) {
      const answers = isIP(s.host) ? [{ address: s.host }] : await lookup(s.host, { all: true });
      for (const a of answers) {
        const why = blockedAddressReason(a.address);
        if (why !== undefined) throw new BlockedAddressError(s.host, a.address, why);
      }
      const first = answers[0];
      if (!first) throw Object.assign(new Error(`no address for ${s.host}`), { code: "ENOTFOUND" });
      address = first.address;
    }
    out.push(`${isIP(address) === 6 ? `[${address}]` : address}:${s.port}`);
  }
  return out;
}

function natsDeliveryError(where: string, err: unknown): DeliveryError {
  if (err instanceof DeliveryError) return err;
  const code = (err as { code?: unknown })?.code;
  if (typeof code === "string" && PERMANENT_CODES.has(code))
    return new DeliveryError(`${where}: ${code}: ${messageOf(err)}`, {
      transient: false,
      code: code.toLowerCase(),
      cause: err,
    });
  if (code === "CONNECTION_TIMEOUT" || code === "TIMEOUT")
    return new DeliveryError(`${where}: timed out`, { transient: true, code: "timeout", cause: err });
  if (typeof code === "string" && /^[A-Z_]+$/.test(code) && !code.startsWith("E"))
    return new DeliveryError(`${where}: ${code}: ${messageOf(err)}`, {
      transient: true,
      code: "network_error",
      cause: err,
    });
  return deliveryErrorForNetwork(where, err);
}
