// A stand-in Power Automate "Send webhook alerts to a channel" workflow on a real HTTP server, validating requests as
// Microsoft documents them: POST /workflows/<id>/triggers/manual/paths/invoke?api-version=1&sig=<signature> (unknown
// flow 404 WorkflowNotFound, wrong sig 401 DirectApiAuthorizationRequired), a JSON body (400 InvalidRequestContent)
// of at most 28 KB (413), the message envelope {type: "message", attachments: [{contentType:
// "application/vnd.microsoft.card.adaptive", content}]} (or the card itself for a raw-payload flow) whose content is
// an Adaptive Card (type AdaptiveCard, version, body of TextBlock{text}/FactSet{facts[{title,value}]}/Container…,
// actions Action.OpenUrl{url}) — 400 otherwise. Accepted posts answer 202 with no body. It can be told to fail the next
// request (status, Retry-After, an error echoing the URL) or to answer late and drop it.
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  answerQueuedFailure,
  type FakeHttpServer,
  type QueuedFailure,
  StandInApi,
  sendJson,
} from "./fakes/http-fake.ts";

export interface FakeTeamsPost {
  flow: string;
  card: Record<string, unknown>;
  raw: string;
}

export type FakeTeamsFailure = QueuedFailure<{ message?: string }>;

const ELEMENTS = ["TextBlock", "FactSet", "Container", "ColumnSet", "Image", "ActionSet", "RichTextBlock"];
const MAX_BYTES = 28 * 1024;

export class FakeTeamsWorkflows extends StandInApi<FakeTeamsFailure> {
  readonly posts: FakeTeamsPost[] = [];
  readonly received: string[] = [];
  readonly #flows = new Map<string, { sig: string; raw: boolean }>();

  private constructor(server: FakeHttpServer) {
    super(server);
  }

  static async start(): Promise<FakeTeamsWorkflows> {
    return StandInApi.serve((server) => new FakeTeamsWorkflows(server));
  }

  /** A flow's webhook URL (the sig is its secret). */
  addFlow(id: string, sig: string, opts: { raw?: boolean } = {}): string {
    this.#flows.set(id, { sig, raw: opts.raw === true });
    return `${this.server.url}/workflows/${id}/triggers/manual/paths/invoke?api-version=1&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=${sig}`;
  }

  protected override async handle(req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> {
    const raw = body.toString("utf8");
    this.received.push(raw);
    const error = (status: number, code: string, message: string, headers: Record<string, string> = {}) =>
      sendJson(res, status, { error: { code, message } }, headers);
    const failed = await answerQueuedFailure(this.failures, {
      late: () =>
        error(504, "GatewayTimeout", "The gateway did not receive a response within the specified time."),
      failed: (f, headers) =>
        error(
          f.status,
          f.status === 429 ? "TooManyRequests" : "InternalServerError",
          f.message ?? "failed",
          headers,
        ),
    });
    if (failed) return;
    const url = new URL(req.url ?? "/", "http://x");
    const m = /^\/workflows\/([^/]+)\/triggers\/manual\/paths\/invoke$/.exec(url.pathname);
    const flow = m ? this.#flows.get(m[1]!) : undefined;
    if (!m || !flow) return error(404, "WorkflowNotFound", "The workflow could not be found.");
    if (url.searchParams.get("sig") !== flow.sig) {
      return error(401, "DirectApiAuthorizationRequired", "The request must be authenticated.");
    }
    if (req.method !== "POST") return error(405, "MethodNotAllowed", "POST only");
    if (body.length > MAX_BYTES) return error(413, "MessageTooLarge", "The request content is too large.");
    if (!String(req.headers["content-type"] ?? "").startsWith("application/json")) {
      return error(415, "UnsupportedMediaType", "Content-Type must be application/json");
    }
    let p: Record<string, unknown>;
    try {
      p = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return error(400, "InvalidRequestContent", "The request content is not valid JSON.");
    }
    let card: Record<string, unknown> | undefined;
    if (flow.raw) card = p;
    else {
      const att = Array.isArray(p.attachments)
        ? (p.attachments[0] as Record<string, unknown> | undefined)
        : undefined;
      if (p.type !== "message" || !att || att.contentType !== "application/vnd.microsoft.card.adaptive") {
        return error(400, "InvalidRequestContent", "Expected a message with an Adaptive Card attachment.");
      }
      card = att.content as Record<string, unknown>;
    }
    const problem = cardProblem(card);
    if (problem) return error(400, "InvalidAdaptiveCard", problem);
    this.posts.push({ flow: m[1]!, card: card!, raw });
    res.writeHead(202);
    res.end();
  }
}

function cardProblem(card: Record<string, unknown> | undefined): string | undefined {
  if (card?.type !== "AdaptiveCard") return "content.type must be AdaptiveCard";
  if (typeof card.version !== "string") return "content.version is required";
  if (!Array.isArray(card.body)) return "content.body must be an array";
  for (const el of card.body as Record<string, unknown>[]) {
    if (!ELEMENTS.includes(String(el.type))) return `unknown element type ${String(el.type)}`;
    if (el.type === "TextBlock" && typeof el.text !== "string") return "TextBlock.text is required";
    if (el.type === "FactSet") {
      const facts = el.facts as Record<string, unknown>[] | undefined;
      if (
        !Array.isArray(facts) ||
        facts.some((x) => typeof x.title !== "string" || typeof x.value !== "string")
      ) {
        return "FactSet.facts must be [{title, value}]";
      }
    }
  }
  for (const a of (card.actions as Record<string, unknown>[] | undefined) ?? []) {
    if (a.type === "Action.OpenUrl" && typeof a.url !== "string") return "Action.OpenUrl.url is required";
  }
  return undefined;
}
