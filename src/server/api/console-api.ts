// The console's JSON API on the service's HTTP port, under /api/v1 (docs/api.md). Reads are open; retry,
// purge and silences need a bearer token (see src/console/authorizer.ts).
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ConsoleService, WriteResult } from "../../console/console-service.ts";
import { DeadLetterFilterError, deadLetterFilterOf } from "../../queue/dead-letter-filter.ts";
import type { SilenceRequest } from "../../silences/silence.ts";
import { BodyError, type HttpRoute, queryOf, readJsonBody, sendJson } from "../http-route.ts";

const BASE = "/api/v1/";

function segments(path: string): string[] | undefined {
  try {
    return path.slice(BASE.length).split("/").filter(Boolean).map(decodeURIComponent);
  } catch {
    return undefined;
  }
}

function sendWrite<T>(res: ServerResponse, r: WriteResult<T>, body: (v: T, user: string) => unknown): void {
  if (r.ok) sendJson(res, 200, body(r.value, r.user));
  else {
    if (r.status === 401) res.setHeader("www-authenticate", 'Bearer realm="rollouts-notifier"');
    sendJson(res, r.status, { error: r.message });
  }
}

export function consoleApiRoute(svc: ConsoleService): HttpRoute {
  const handle = async (
    req: IncomingMessage,
    res: ServerResponse,
    s: string[],
    query: URLSearchParams,
  ): Promise<void> => {
    const method = req.method ?? "GET";
    const auth = req.headers.authorization;
    const read = method === "GET" || method === "HEAD";
    const noHistory = () =>
      sendJson(res, 404, { error: "the delivery history is switched off (HISTORY_ENABLED=false)" });
    const [a, b, c, d] = s;
    if (read && a === "overview" && s.length === 1) return sendJson(res, 200, await svc.overview());
    if (read && a === "queue" && s.length === 1) return sendJson(res, 200, await svc.deps.queue.depth());
    if (read && a === "rollouts" && s.length === 1) {
      if (!svc.history) return noHistory();
      return sendJson(res, 200, { rollouts: await svc.history.rollouts() });
    }
    if (read && a === "rollouts" && s.length === 4 && d === "timeline") {
      if (!svc.history) return noHistory();
      return sendJson(res, 200, { namespace: b, name: c, transitions: await svc.history.timeline(b!, c!) });
    }
    if (read && a === "notifications" && s.length === 2) {
      if (!svc.history) return noHistory();
      const n = await svc.history.notification(b!);
      return n
        ? sendJson(res, 200, n)
        : sendJson(res, 404, { error: `no notification ${JSON.stringify(b)} in the history` });
    }
    if (a === "deadletters") {
      if (s.length === 1 && (read || method === "DELETE")) {
        let filter: ReturnType<typeof deadLetterFilterOf>;
        try {
          filter = deadLetterFilterOf(Object.fromEntries(query));
        } catch (err) {
          if (err instanceof DeadLetterFilterError) return sendJson(res, 400, { error: err.message });
          throw err;
        }
        if (read) return sendJson(res, 200, { deadLetters: await svc.deadLetters(filter) });
        return sendWrite(res, await svc.purgeDeadLetters(auth, filter), (ids, user) => ({
          purged: ids.length,
          ids,
          by: user,
        }));
      }
      if (method === "POST" && s.length === 3 && c === "retry")
        return sendWrite(res, await svc.retryDeadLetter(auth, b!), (id, user) => ({ retried: id, by: user }));
      if (method === "DELETE" && s.length === 2)
        return sendWrite(res, await svc.purgeDeadLetter(auth, b!), (id, user) => ({
          purged: 1,
          ids: [id],
          by: user,
        }));
    }
    if (a === "silences") {
      if (read && s.length === 1) return sendJson(res, 200, { silences: await svc.silences() });
      if (method === "POST" && s.length === 1) {
        const body = (await readJsonBody(req)) as SilenceRequest;
        return sendWrite(res, await svc.createSilence(auth, body), (silence) => silence);
      }
      if (method === "POST" && s.length === 3 && c === "expire")
        return sendWrite(res, await svc.expireSilence(auth, b!), (silence) => silence);
    }
    sendJson(res, read || ["POST", "DELETE"].includes(method) ? 404 : 405, {
      error: `no such API: ${method} ${BASE}${s.join("/")}`,
    });
  };
  return (req, res, path) => {
    if (!path.startsWith(BASE) && path !== "/api/v1") return false;
    const s = segments(path);
    if (!s) {
      sendJson(res, 400, { error: "bad path encoding" });
      return true;
    }
    handle(req, res, s, queryOf(req)).catch((err: unknown) => {
      if (res.headersSent) return void res.destroy();
      if (err instanceof BodyError) sendJson(res, err.status, { error: err.message });
      else sendJson(res, 500, { error: `internal error: ${(err as Error)?.message ?? String(err)}` });
    });
    return true;
  };
}
