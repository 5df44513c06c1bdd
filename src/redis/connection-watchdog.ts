// A PING now and then on a Redis connection, so one that stopped answering without closing is noticed: a Redis
// host that died without a FIN or RST (a crashed VM, a partition — a Sentinel fail-over then promotes a replica,
// but this connection still waits on the old primary), a middlebox that dropped the flow. TCP notices that only
// once its retransmissions give up (~15 min on Linux) or keepalive probes fail (30 s idle + ~11 min of probes);
// until then every command on it waits and nothing is delivered. A PING unanswered for `timeoutMs` drops the
// connection and makes it again (ioredis sends the commands still unanswered again on the new one; every
// script of ours is idempotent). The worker's blocking connection cannot take a PING while it blocks: it has
// its own watchdog (src/queue/delivery-worker.ts).
import type { Logger } from "../logger.ts";
import type { RedisClient } from "./redis-connection.ts";

export const WATCHDOG_EVERY_MS = 15_000;
export const WATCHDOG_TIMEOUT_MS = 10_000;

export interface ConnectionWatchdogOptions {
  everyMs?: number;
  timeoutMs?: number;
  /** Names the connection in the log line. */
  name: string;
}

/** Starts the watchdog; returns its stop function. */
export function watchConnection(
  client: RedisClient,
  logger: Logger,
  o: ConnectionWatchdogOptions,
): () => void {
  const everyMs = o.everyMs ?? WATCHDOG_EVERY_MS;
  const timeoutMs = o.timeoutMs ?? WATCHDOG_TIMEOUT_MS;
  /** The probe in flight (a number per probe: one left behind by a reconnect is ignored). */
  let probe = 0;
  let inFlight = false;
  const timer = setInterval(() => {
    if (inFlight || client.status !== "ready") return;
    inFlight = true;
    const mine = ++probe;
    const deadline = setTimeout(() => {
      if (probe !== mine) return;
      probe++;
      inFlight = false;
      logger.warn(
        { connection: o.name, timeoutMs },
        "a Redis connection did not answer PING in time; reconnecting it",
      );
      client.disconnect(true);
    }, timeoutMs);
    deadline.unref();
    client
      .ping()
      .catch(() => {}) // a failing connection reports itself (error events, reconnects)
      .finally(() => {
        clearTimeout(deadline);
        if (probe === mine) inFlight = false;
      });
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
