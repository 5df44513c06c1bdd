// A @slack/web-api WebClient for one Slack service config: its apiURL, no internal retries (the queue retries),
// rate-limited calls rejected at once (Retry-After goes back to the queue), a request timeout, and HTTP over a
// keep-alive undici Agent (which also carries insecureSkipVerify).
import { type FetchFunction, LogLevel, type Logger as SlackLogger, WebClient } from "@slack/web-api";
import { type Dispatcher, fetch as undiciFetch } from "undici";
import type { Logger } from "../../logger.ts";
import { MAX_ANSWER_BYTES } from "../http/send-request.ts";
import type { SlackServiceConfig } from "./slack-types.ts";

export const DEFAULT_SLACK_API_URL = "https://slack.com/api/";
export const DEFAULT_SLACK_TIMEOUT_MS = 10_000;

/** The client logs at debug level through pino; its request bodies never reach our logs at info. */
function slackLogger(logger: Logger): SlackLogger {
  let level = LogLevel.WARN;
  const child = logger.child({ component: "slack-web-api" });
  return {
    debug: () => {},
    info: () => {},
    warn: (...msg: unknown[]) => child.debug({ slack: msg.map(String).join(" ") }, "slack client warning"),
    error: (...msg: unknown[]) => child.debug({ slack: msg.map(String).join(" ") }, "slack client error"),
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => {},
  };
}

/**
 * The answer with its body cut off at MAX_ANSWER_BYTES (an error while reading it, as a broken connection would
 * be): a Slack-compatible `apiURL` of a namespace's own config could stream without end into the process.
 */
export function boundedAnswer(res: Response): Response {
  if (!res.body) return res;
  let size = 0;
  const body = res.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        size += chunk.byteLength;
        if (size > MAX_ANSWER_BYTES)
          controller.error(new Error(`answer longer than ${MAX_ANSWER_BYTES} bytes`));
        else controller.enqueue(chunk);
      },
    }),
  );
  return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
}

export function slackApiUrl(service: Pick<SlackServiceConfig, "apiURL">): string {
  const url = service.apiURL || DEFAULT_SLACK_API_URL;
  return url.endsWith("/") ? url : `${url}/`;
}

export function createSlackWebClient(
  service: SlackServiceConfig,
  opts: { dispatcher: Dispatcher; logger: Logger; timeoutMs?: number },
): WebClient {
  const fetchWith: FetchFunction = async (url, init) => {
    const res = await undiciFetch(url, { ...(init as object), dispatcher: opts.dispatcher });
    return boundedAnswer(res) as unknown as Awaited<ReturnType<FetchFunction>>;
  };
  return new WebClient(service.token, {
    slackApiUrl: slackApiUrl(service),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: opts.timeoutMs ?? DEFAULT_SLACK_TIMEOUT_MS,
    allowAbsoluteUrls: false,
    fetch: fetchWith,
    logger: slackLogger(opts.logger),
  });
}
