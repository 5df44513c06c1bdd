// One HTTP request for a sink: picks the keep-alive dispatcher (SSRF guard for a tenant's own endpoints,
// `insecureSkipVerify`), applies the timeout to headers, body and the whole exchange, maps a thrown error to a
// DeliveryError (blocked address: permanent; network failure or timeout: transient) and reads the answer's text
// (at most MAX_ANSWER_BYTES: a longer answer is a permanent failure, `answer_too_large`).
// What a status means stays with each type.
import type { IncomingHttpHeaders } from "node:http";
import { type Dispatcher, request } from "undici";
import type { Logger } from "../../logger.ts";
import { blockedAddressDeliveryError, deliveryErrorForNetwork } from "../delivery-errors.ts";
import { DeliveryError } from "../sink.ts";
import type { HttpDispatchers } from "./http-dispatchers.ts";

export interface HttpRequestSpec {
  url: string | URL;
  /** POST unless given. */
  method?: Dispatcher.HttpMethod;
  /** Merged over `user-agent: rollouts-notifier`. */
  headers?: Record<string, string>;
  body?: string | null;
  timeoutMs: number;
  insecureSkipVerify?: boolean;
  /**
   * Read only the start of the answer, this many bytes (the rest is left unread, not a failure): for a sink that
   * uses no more of it than an error's first lines. Without it, the whole answer up to MAX_ANSWER_BYTES.
   */
  answerStartBytes?: number;
}

export interface HttpSendOptions {
  dispatchers: HttpDispatchers;
  /** Lets tenant-defined endpoints reach private addresses (tests, trusted clusters). */
  allowPrivateNetworks?: boolean | undefined;
}

/** What every HTTP sink is built with; a type adds its own stores. */
export interface HttpSinkOptions extends HttpSendOptions {
  logger: Logger;
  /** Per request; each type has its default. */
  timeoutMs?: number;
  now?: () => number;
}

export interface HttpAnswer {
  statusCode: number;
  headers: IncomingHttpHeaders;
  text: string;
}

/** Sends one request; `where` names the sink and destination (never a credential) in any error it throws. */
export async function sendHttpRequest(
  delivery: { tenantNamespace?: string | undefined },
  where: string,
  spec: HttpRequestSpec,
  opts: HttpSendOptions,
): Promise<HttpAnswer> {
  const { timeoutMs } = spec;
  let res: Dispatcher.ResponseData;
  try {
    res = await request(spec.url, {
      dispatcher: opts.dispatchers.get({
        blockPrivateAddresses: delivery.tenantNamespace !== undefined && !opts.allowPrivateNetworks,
        insecureSkipVerify: spec.insecureSkipVerify === true,
      }),
      method: spec.method ?? "POST",
      headers: { "user-agent": "rollouts-notifier", ...spec.headers },
      body: spec.body ?? null,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    throw (
      blockedAddressDeliveryError(where, delivery.tenantNamespace, err) ?? deliveryErrorForNetwork(where, err)
    );
  }
  let text: string;
  try {
    text = await readBounded(res.body, spec.answerStartBytes);
  } catch (err) {
    if (err instanceof AnswerTooLarge) {
      throw new DeliveryError(`${where}: answer longer than ${MAX_ANSWER_BYTES} bytes: not read`, {
        transient: false,
        code: "answer_too_large",
      });
    }
    text = "";
  }
  return { statusCode: res.statusCode, headers: res.headers, text };
}

/**
 * Most of an answer that is read, in bytes. Every answer a sink parses is far smaller (a Slack or GitHub page is
 * a few hundred KB); an endpoint of a namespace's own config could stream gigabytes within its timeout, into the
 * one process's memory, and again at every retry after the crash.
 */
export const MAX_ANSWER_BYTES = 8 * 1024 * 1024;

class AnswerTooLarge extends Error {}

/** The answer's text: its first `startBytes` (the rest unread), or all of it up to MAX_ANSWER_BYTES. */
async function readBounded(
  body: AsyncIterable<Buffer> & { destroy(): void },
  startBytes: number | undefined,
): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (startBytes === undefined && size > MAX_ANSWER_BYTES) {
      body.destroy();
      throw new AnswerTooLarge();
    }
    chunks.push(chunk);
    if (startBytes !== undefined && size >= startBytes) {
      body.destroy();
      break;
    }
  }
  return Buffer.concat(chunks).toString("utf8");
}
