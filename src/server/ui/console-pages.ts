// The console's web page, server-rendered (/ui): overview, Rollouts, a Rollout's timeline, dead letters,
// silences. Every value is HTML-escaped; the only script is /ui/console.js (buttons and the silence form call
// the JSON API with the operator's token).
import type { ServerResponse } from "node:http";
import type { ConsoleService } from "../../console/console-service.ts";
import type { NotificationRecord } from "../../history/delivery-history.ts";
import {
  type DeadLetterFilter,
  DeadLetterFilterError,
  deadLetterFilterOf,
  isEmptyFilter,
} from "../../queue/dead-letter-filter.ts";
import { describeMatchers, isActive, type Silence } from "../../silences/silence.ts";
import { type HttpRoute, queryOf } from "../http-route.ts";
import { CONSOLE_CSS, CONSOLE_JS } from "./assets.ts";

const esc = (v: unknown) => String(v ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const time = (ms: number | undefined) =>
  ms ? new Date(ms).toISOString().replace("T", " ").slice(0, 19) : "-";
const seg = (s: string) => encodeURIComponent(s);

function age(ms: number): string {
  if (ms <= 0) return "-";
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}

const NAV: [string, string][] = [
  ["/ui", "Overview"],
  ["/ui/rollouts", "Rollouts"],
  ["/ui/deadletters", "Dead letters"],
  ["/ui/silences", "Silences"],
];

function layout(title: string, active: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)} · rollouts-notifier</title><link rel="stylesheet" href="/ui/console.css"></head><body>
<header><h1>rollouts-notifier</h1><nav>${NAV.map(([href, label]) => `<a href="${href}"${href === active ? ' class="on"' : ""}>${label}</a>`).join("")}</nav>
<label class="auth">token <input id="token" type="password" autocomplete="off" placeholder="bearer token (for changes)"></label></header>
<main><h2>${esc(title)}</h2><div id="status" role="status"></div>${body}</main><script src="/ui/console.js"></script></body></html>`;
}

const badge = (state: string) => `<span class="b ${esc(state)}">${esc(state)}</span>`;

async function overview(svc: ConsoleService): Promise<string> {
  const o = await svc.overview();
  const card = (k: string, v: string) =>
    `<div class="card"><div class="k">${k}</div><div class="v">${esc(v)}</div></div>`;
  const rows = o.services
    .map((s) => `<tr><td>${esc(s.service)}</td><td>${s.delivered}</td><td>${s.failed}</td></tr>`)
    .join("");
  return layout(
    "Overview",
    "/ui",
    `<div class="cards">${card("queued", String(o.queue.waiting + o.queue.delayed))}${card("in flight", String(o.queue.active))}${card("oldest undelivered", age(o.queue.oldestAgeMs))}${card("dead letters", String(o.queue.deadLetters))}${card("active silences", String(o.activeSilences))}</div>
<h3>Deliveries per service, last hour</h3>${
      o.history
        ? rows
          ? `<table><thead><tr><th>service</th><th>delivered</th><th>failed attempts</th></tr></thead><tbody>${rows}</tbody></table>`
          : '<div class="empty">no deliveries in the last hour</div>'
        : '<div class="empty">the delivery history is switched off (HISTORY_ENABLED=false)</div>'
    }`,
  );
}

async function rollouts(svc: ConsoleService): Promise<string> {
  if (!svc.history)
    return layout(
      "Rollouts",
      "/ui/rollouts",
      '<div class="empty">the delivery history is switched off</div>',
    );
  const list = await svc.history.rollouts({ latest: 4 });
  const rows = list
    .map(
      (r) =>
        `<tr><td><a href="/ui/rollouts/${seg(r.namespace)}/${seg(r.name)}">${esc(r.namespace)}/${esc(r.name)}</a></td><td>${time(r.lastAt)}</td><td>${r.latest
          .map(
            (t) =>
              `<div>${time(t.detectedAt)} <code>${esc(t.trigger)}</code> <span class="mut">${esc(t.detail ?? "")}</span></div>`,
          )
          .join("")}</td></tr>`,
    )
    .join("");
  return layout(
    "Rollouts",
    "/ui/rollouts",
    rows
      ? `<table><thead><tr><th>Rollout</th><th>last transition</th><th>latest transitions</th></tr></thead><tbody>${rows}</tbody></table>`
      : '<div class="empty">no transitions recorded yet</div>',
  );
}

function notificationBlock(n: NotificationRecord): string {
  const attempts = n.attempts
    .map(
      (a) =>
        `<tr><td>${time(a.at)}</td><td>${a.attempt}</td><td>${badge(a.outcome)}</td><td>${a.statusCode ?? esc(a.code ?? "")}</td><td>${a.latencyMs !== undefined ? `${a.latencyMs} ms` : "-"}</td><td>${esc(a.answer ?? "")}</td></tr>`,
    )
    .join("");
  return `<div class="n" data-job="${esc(n.jobId)}"><div><b>${esc(n.service)}</b>${n.recipient ? `:${esc(n.recipient)}` : ""} ${badge(n.outcome)} <span class="mut">${esc(n.detail ?? "")}</span></div>
<pre>${esc(n.message)}</pre>${attempts ? `<table><thead><tr><th>attempt at</th><th>#</th><th>outcome</th><th>status</th><th>latency</th><th>answer</th></tr></thead><tbody>${attempts}</tbody></table>` : ""}</div>`;
}

async function timeline(svc: ConsoleService, ns: string, name: string): Promise<string> {
  const title = `Rollout ${ns}/${name}`;
  if (!svc.history)
    return layout(title, "/ui/rollouts", '<div class="empty">the delivery history is switched off</div>');
  const txs = await svc.history.timeline(ns, name);
  const body = txs
    .map(
      (t) =>
        `<section class="tx"><div class="h"><b>${esc(t.trigger)}</b><span class="mut">${time(t.detectedAt)}</span><span class="mut">${esc(t.object.kind)} ${esc(t.object.name)}${t.revision && !t.detail?.startsWith("revision") ? ` · revision ${esc(t.revision)}` : ""}${t.detail ? ` · ${esc(t.detail)}` : ""}</span></div>${
          t.notifications.length
            ? t.notifications.map(notificationBlock).join("")
            : '<div class="mut">no notification (nobody subscribed)</div>'
        }</section>`,
    )
    .join("");
  return layout(
    title,
    "/ui/rollouts",
    body || '<div class="empty">no transitions recorded for this Rollout</div>',
  );
}

async function deadLetters(svc: ConsoleService, query: URLSearchParams): Promise<string> {
  let filter: DeadLetterFilter;
  try {
    filter = deadLetterFilterOf(Object.fromEntries(query));
  } catch (err) {
    if (!(err instanceof DeadLetterFilterError)) throw err;
    return layout("Dead letters", "/ui/deadletters", `<div class="empty">${esc(err.message)}</div>`);
  }
  const letters = await svc.deadLetters(filter);
  const field = (name: keyof DeadLetterFilter, label: string) =>
    `<label>${label}<input name="${name}" value="${esc(filter[name] ?? "")}"></label>`;
  const form = `<form class="filter" method="get" action="/ui/deadletters">${field("namespace", "namespace")}${field("rollout", "Rollout")}${field("service", "service")}<div class="row"><button type="submit">Filter</button>${isEmptyFilter(filter) ? "" : ' <a href="/ui/deadletters">all</a>'}</div></form>`;
  // "purge shown" sends the same filter the list was made with
  const shown = new URLSearchParams(
    Object.entries(filter).filter((e): e is [string, string] => e[1] !== undefined),
  ).toString();
  const rows = letters
    .map((l) => {
      const owner = l.job.transition.rollout ?? l.job.transition.object;
      return `<tr data-id="${esc(l.id)}"><td><a href="/ui/rollouts/${seg(owner.namespace)}/${seg(owner.name)}">${esc(owner.namespace)}/${esc(owner.name)}</a></td><td><code>${esc(l.job.transition.trigger)}</code></td><td>${esc(l.job.destination.service)}${l.job.destination.recipient ? `:${esc(l.job.destination.recipient)}` : ""}</td><td>${l.attempts}</td><td>${time(l.deadLetteredAt)}</td><td>${esc(`${l.reason.code}: ${l.reason.message}`)}</td><td class="actions"><button class="primary" data-action="retry" data-id="${esc(l.id)}">Retry</button> <button class="danger" data-action="purge-one" data-id="${esc(l.id)}">Purge</button></td></tr>`;
    })
    .join("");
  const empty = isEmptyFilter(filter) ? "no dead letters" : "no dead letters match the filter";
  return layout(
    "Dead letters",
    "/ui/deadletters",
    `${form}${
      rows
        ? `<p><button class="danger" data-action="purge-shown" data-filter="${esc(shown)}" data-count="${letters.length}">Purge shown (${letters.length})</button> <span class="mut">${letters.length} dead letter(s): notifications that will not be delivered without an operator</span></p>
<table><thead><tr><th>Rollout</th><th>trigger</th><th>destination</th><th>attempts</th><th>dead-lettered</th><th>reason</th><th></th></tr></thead><tbody>${rows}</tbody></table>`
        : `<div class="empty">${empty}</div>`
    }`,
  );
}

function silenceState(s: Silence, now: number): string {
  if (isActive(s, now)) return "active";
  return s.startsAt > now ? "pending" : "expired";
}

async function silences(svc: ConsoleService): Promise<string> {
  const now = Date.now();
  const list = await svc.silences();
  const field = (name: string, label: string, extra = "") =>
    `<label>${label}<input name="${name}" ${extra}></label>`;
  const form = `<form class="silence">${field("namespace", "namespace")}${field("rollout", "Rollout")}${field("trigger", "trigger", 'placeholder="on-rollout-step-completed"')}${field("service", "service", 'placeholder="slack"')}${field("recipient", "recipient", 'placeholder="channel"')}${field("labels", "labels", 'placeholder="team=payments,tier=web"')}${field("duration", "duration", 'value="1h" required')}<label>&nbsp;<span><input type="checkbox" name="summary" checked> summary on expiry</span></label>
<label class="wide">comment${'<input name="comment" required placeholder="why (maintenance window, noisy canary…)">'}</label><div class="row"><button class="primary" type="submit">Create silence</button></div></form>`;
  const rows = list
    .map((s) => {
      const state = silenceState(s, now);
      return `<tr data-id="${esc(s.id)}"><td><code>${esc(s.id)}</code></td><td>${badge(state)}</td><td>${esc(describeMatchers(s.matchers))}</td><td>${time(s.startsAt)}</td><td>${time(s.endsAt)}</td><td>${esc(s.createdBy)}${s.expiredBy ? ` <span class="mut">(expired by ${esc(s.expiredBy)})</span>` : ""}</td><td>${esc(s.comment)}</td><td>${s.summary ? "yes" : "no"}</td><td>${state !== "expired" ? `<button data-action="expire" data-id="${esc(s.id)}">Expire</button>` : ""}</td></tr>`;
    })
    .join("");
  return layout(
    "Silences",
    "/ui/silences",
    `${form}${rows ? `<table><thead><tr><th>id</th><th>state</th><th>matches</th><th>starts</th><th>ends</th><th>by</th><th>comment</th><th>summary</th><th></th></tr></thead><tbody>${rows}</tbody></table>` : '<div class="empty">no silences</div>'}`,
  );
}

function send(res: ServerResponse, status: number, type: string, body: string, cache = "no-store"): void {
  res
    .writeHead(status, {
      "content-type": type,
      "content-length": Buffer.byteLength(body),
      "cache-control": cache,
      "content-security-policy":
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; form-action 'self'",
      "x-content-type-options": "nosniff",
    })
    .end(body);
}

export function consolePagesRoute(svc: ConsoleService): HttpRoute {
  return (req, res, path) => {
    if (path !== "/ui" && !path.startsWith("/ui/")) return false;
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405).end();
      return true;
    }
    if (path === "/ui/console.css") {
      send(res, 200, "text/css; charset=utf-8", CONSOLE_CSS, "max-age=300");
      return true;
    }
    if (path === "/ui/console.js") {
      send(res, 200, "text/javascript; charset=utf-8", CONSOLE_JS, "max-age=300");
      return true;
    }
    let parts: string[];
    try {
      parts = path.split("/").filter(Boolean).slice(1).map(decodeURIComponent);
    } catch {
      send(res, 400, "text/plain", "bad path encoding\n");
      return true;
    }
    let page: Promise<string> | undefined;
    if (parts.length === 0) page = overview(svc);
    else if (parts[0] === "rollouts" && parts.length === 1) page = rollouts(svc);
    else if (parts[0] === "rollouts" && parts.length === 3) page = timeline(svc, parts[1]!, parts[2]!);
    else if (parts[0] === "deadletters" && parts.length === 1) page = deadLetters(svc, queryOf(req));
    else if (parts[0] === "silences" && parts.length === 1) page = silences(svc);
    if (!page) {
      send(
        res,
        404,
        "text/html; charset=utf-8",
        layout("Not found", "", '<div class="empty">no such page</div>'),
      );
      return true;
    }
    page.then(
      (html) => send(res, 200, "text/html; charset=utf-8", html),
      (err: unknown) =>
        send(res, 500, "text/plain", `console error: ${(err as Error)?.message ?? String(err)}\n`),
    );
    return true;
  };
}
