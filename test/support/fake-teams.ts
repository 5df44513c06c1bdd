// A stand-in Office 365 connector incoming webhook for Microsoft Teams on a real HTTP server, answering as the
// connectors do: POST /webhookb2/<id>/IncomingWebhook/<secret> with a JSON MessageCard (@type MessageCard, a
// summary or text — "Summary or Text is required."), at most 28 KB (413); success is 200 with the body "1"; an
// unknown webhook is 404; throttling is 200 with "Microsoft Teams endpoint returned HTTP error 429 …" (as connectors
// report it) or a plain 429. It can be told to fail the next request (status, Retry-After, an error text echoing the
// URL) or to answer late and drop it.
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  answerQueuedFailure,
  type FakeHttpServer,
  type QueuedFailure,
  StandInApi,
} from "./fakes/http-fake.ts";

export interface FakeTeamsCard {
  webhook: string;
  card: Record<string, unknown>;
  raw: string;
}

export type FakeTeamsConnectorFailure = QueuedFailure<{ text?: string; asOk?: boolean }>;

export class FakeTeams extends StandInApi<FakeTeamsConnectorFailure> {
  readonly cards: FakeTeamsCard[] = [];
  readonly received: string[] = [];
  readonly #hooks = new Set<string>();

  private constructor(server: FakeHttpServer) {
    super(server);
  }

  static async start(): Promise<FakeTeams> {
    return StandInApi.serve((server) => new FakeTeams(server));
  }

  addWebhook(id: string, secret: string): string {
    const path = `/webhookb2/${id}/IncomingWebhook/${secret}`;
    this.#hooks.add(path);
    return `${this.server.url}${path}`;
  }

  protected override async handle(req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> {
    const raw = body.toString("utf8");
    this.received.push(raw);
    const reply = (status: number, text: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, { "content-type": "text/plain; charset=utf-8", ...headers });
      res.end(text);
    };
    const failed = await answerQueuedFailure(this.failures, {
      late: () => reply(504, "Gateway Timeout"),
      failed: (f, headers) => {
        const text =
          f.text ?? `Microsoft Teams endpoint returned HTTP error ${f.status} with ContextId MS-CV=abc.`;
        return reply(f.asOk ? 200 : f.status, text, headers);
      },
    });
    if (failed) return;
    const path = new URL(req.url ?? "/", "http://x").pathname;
    if (!this.#hooks.has(path)) return reply(404, "Webhook not found");
    if (req.method !== "POST") return reply(405, "Method not allowed");
    if (body.length > 28 * 1024) return reply(413, "Request entity too large");
    let card: Record<string, unknown>;
    try {
      card = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return reply(400, "Bad payload received by generic incoming webhook.");
    }
    if (card["@type"] !== "MessageCard" && card.type !== "message")
      return reply(400, "Bad payload received by generic incoming webhook.");
    if (card["@type"] === "MessageCard" && !card.summary && !card.text)
      return reply(400, "Summary or Text is required.");
    this.cards.push({ webhook: path, card, raw });
    reply(200, "1");
  }
}
