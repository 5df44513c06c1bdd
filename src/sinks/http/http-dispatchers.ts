// Keep-alive undici Agents shared by the HTTP sinks, one per distinct transport setting (TLS verification on/off,
// SSRF guard on/off). An Agent keeps a keep-alive pool per origin, so every webhook/PagerDuty origin reuses its
// connections across deliveries.
import { Agent, type Dispatcher } from "undici";
import { createGuardedConnector } from "./guarded-connector.ts";

export interface TransportOptions {
  /** Skip TLS certificate verification (service `insecureSkipVerify`). */
  insecureSkipVerify?: boolean;
  /** Refuse loopback/private/link-local/... addresses (namespace self-service webhooks). */
  blockPrivateAddresses?: boolean;
}

const KEEP_ALIVE_MS = 30_000;
const CONNECT_TIMEOUT_MS = 10_000;

export class HttpDispatchers {
  readonly #agents = new Map<string, Agent>();

  get(opts: TransportOptions = {}): Dispatcher {
    const key = `${opts.insecureSkipVerify ? "insecure" : "verify"}/${opts.blockPrivateAddresses ? "guarded" : "open"}`;
    let agent = this.#agents.get(key);
    if (!agent) {
      const tls = { rejectUnauthorized: !opts.insecureSkipVerify, timeout: CONNECT_TIMEOUT_MS };
      agent = new Agent({
        keepAliveTimeout: KEEP_ALIVE_MS,
        keepAliveMaxTimeout: 5 * KEEP_ALIVE_MS,
        connect: opts.blockPrivateAddresses ? createGuardedConnector(tls) : tls,
      });
      this.#agents.set(key, agent);
    }
    return agent;
  }

  async close(): Promise<void> {
    const agents = [...this.#agents.values()];
    this.#agents.clear();
    await Promise.all(agents.map((a) => a.close().catch(() => a.destroy())));
  }
}
