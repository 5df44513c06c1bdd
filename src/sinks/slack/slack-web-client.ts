// A @slack/web-api WebClient for one Slack service config: its apiURL, no internal retries (the queue retries),
// rate-limited calls rejected at once (Retry-After goes back to the queue), a request timeout, and HTTP over a
// keep-alive undici Agent (which also carries insecureSkipVerify).
import { type FetchFunction, LogLevel, type Logger as SlackLogger, WebClient } from "@slack/web-api";
import { type Dispatcher, fetch as undiciFetch } from "undici";
import type { Logger } from "../../logger.ts";
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

export function slackApiUrl(service: Pick<SlackServiceConfig, "apiURL">): string {
  const url = service.apiURL || DEFAULT_SLACK_API_URL;
  return url.endsWith("/") ? url : `${url}/`;
}

export function createSlackWebClient(
  service: SlackServiceConfig,
  opts: { dispatcher: Dispatcher; logger: Logger; timeoutMs?: number },
): WebClient {
  const fetchWith: FetchFunction = (url, init) =>
    undiciFetch(url, {
      ...(init as object),
      dispatcher: opts.dispatcher,
    }) as unknown as ReturnType<FetchFunction>;
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
