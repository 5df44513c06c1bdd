// SSRF guard at the socket level. The check runs where the connection is made, on the address actually used:
//  - IP-literal hosts are checked before connecting (net.connect does no lookup for them);
//  - host names go through a DNS lookup hook that rejects blocked answers, so the checked answer is the one
//    the socket connects to (no second resolution a DNS rebinding could change);
//  - after connecting, the socket's remote address is checked again (belt and braces) and the socket destroyed
//    before a byte is written if it is blocked.
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from "node:dns";
import { isIP } from "node:net";
import { buildConnector } from "undici";
import { blockedAddressReason } from "./blocked-addresses.ts";

export class BlockedAddressError extends Error {
  readonly code = "ERR_RN_BLOCKED_ADDRESS";
  readonly host: string;
  readonly address: string;
  readonly reason: string;
  constructor(host: string, address: string, reason: string) {
    super(
      `${host} resolves to ${address} (${reason}); namespace webhooks may not reach it (operators can allow it with --allow-private-webhooks)`,
    );
    this.name = "BlockedAddressError";
    this.host = host;
    this.address = address;
    this.reason = reason;
  }
}

/** Finds a BlockedAddressError in an error's cause chain (undici wraps connect errors). */
export function findBlockedAddressError(err: unknown): BlockedAddressError | undefined {
  let e: unknown = err;
  for (let depth = 0; depth < 6 && e && typeof e === "object"; depth++) {
    if (e instanceof BlockedAddressError) return e;
    if (e instanceof AggregateError) {
      for (const inner of e.errors) {
        const found = findBlockedAddressError(inner);
        if (found) return found;
      }
    }
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;
type LookupFn = (hostname: string, options: LookupOptions, callback: LookupCallback) => void;

/** A `lookup` for net.connect that fails with BlockedAddressError when any answer is a blocked address. */
export function guardedLookup(resolve: LookupFn = dnsLookup as unknown as LookupFn): LookupFn {
  return (hostname, options, callback) => {
    resolve(hostname, { ...options, all: true }, (err, answers) => {
      if (err) return callback(err, options.all ? [] : "");
      const list = answers as LookupAddress[];
      for (const a of list) {
        const why = blockedAddressReason(a.address);
        if (why !== undefined)
          return callback(new BlockedAddressError(hostname, a.address, why), options.all ? [] : "");
      }
      if (options.all) return callback(null, list);
      const first = list[0];
      if (!first)
        return callback(Object.assign(new Error(`no address for ${hostname}`), { code: "ENOTFOUND" }), "");
      callback(null, first.address, first.family);
    });
  };
}

/** An undici connector that refuses blocked addresses (see file comment). */
export function createGuardedConnector(opts: buildConnector.BuildOptions = {}): buildConnector.connector {
  const base = buildConnector({ ...opts, lookup: guardedLookup() } as buildConnector.BuildOptions);
  return (options, callback) => {
    const host = options.hostname.replace(/^\[|\]$/g, "");
    if (isIP(host) !== 0) {
      const why = blockedAddressReason(host);
      if (why !== undefined) {
        callback(new BlockedAddressError(options.hostname, host, why), null);
        return;
      }
    }
    base(options, (err, socket) => {
      if (err || !socket) {
        callback(err ?? new Error("connect failed"), null);
        return;
      }
      const remote = socket.remoteAddress;
      const why = remote === undefined ? "unknown remote address" : blockedAddressReason(remote);
      if (why !== undefined) {
        socket.destroy();
        callback(new BlockedAddressError(options.hostname, remote ?? "?", why), null);
        return;
      }
      callback(null, socket);
    });
  };
}
