// Grafana sink: annotations through the HTTP API with `Authorization: Bearer <apiKey>`. Success is 200 with the
// annotation id (POST) or "Annotation patched" (PATCH); 429 (Retry-After honoured), 5xx, network errors and
// timeouts are transient; 401 (bad key), 403, 400 and other 4xx permanent, with Grafana's message.
//
// A notification without a region is one point annotation (upstream). The notifications of a region (the built-ins:
// one per Rollout revision) share one annotation, its id kept per (service, recipient, region) in the type's
// RevisionStore (Redis): the first creates it, each later one PATCHes its text, and one that ends the region sets
// timeEnd. Creating it exactly once:
//   1. record {creating, time} before the POST;
//   2. record {created, id} after Grafana answered with the id;
//   3. a definite rejection (4xx, 429) removes the record: nothing was created;
//   4. a delivery finding {creating} (an attempt ended without an answer: timeout, reset, 5xx, worker killed) first
//      looks for that annotation — GET /api/annotations at the recorded time with all its tags — and adopts it, else
//      creates it. A search the key may not make (4xx) is logged and the POST made: at least once then.
// A PATCH answered 404 (the annotation was deleted in Grafana) creates a new one for the region.
import type { Logger } from "../../logger.ts";
import type { RevisionStore } from "../common/revision-store.ts";
import { deliveryErrorForAnswer, messageOf, snippet } from "../delivery-errors.ts";
import { type HttpAnswer, type HttpSinkOptions, sendHttpRequest } from "../http/send-request.ts";
import { type Delivery, DeliveryError, type DeliveryReceipt, type Sink } from "../sink.ts";
import {
  buildGrafanaRequest,
  type GrafanaAnnotationBody,
  type GrafanaRequest,
  grafanaAnnotationsUrl,
  grafanaPatchFor,
  grafanaSearchUrl,
} from "./grafana-request.ts";
import type { GrafanaServiceConfig } from "./grafana-types.ts";
import { grafanaWhere } from "./grafana-wire.ts";

export const GRAFANA_TIMEOUT_MS = 15_000;

/** A region's annotation: being created (the POST's outcome not known yet) or created with its id. */
export type GrafanaRegionRecord =
  | { state: "creating"; time: number }
  | { state: "created"; id: number; time: number };

export function parseGrafanaRegionRecord(v: unknown): GrafanaRegionRecord | undefined {
  const r = v as { state?: unknown; id?: unknown; time?: unknown } | null;
  if (!r || typeof r.time !== "number") return undefined;
  if (r.state === "creating") return { state: "creating", time: r.time };
  if (r.state === "created" && typeof r.id === "number") return { state: "created", id: r.id, time: r.time };
  return undefined;
}

export interface GrafanaSinkOptions extends HttpSinkOptions {
  regions: RevisionStore<GrafanaRegionRecord>;
}

interface Answer extends HttpAnswer {
  json: Record<string, unknown>;
}

export class GrafanaSink implements Sink<GrafanaServiceConfig> {
  readonly type = "grafana" as const;
  readonly #opts: GrafanaSinkOptions;
  readonly #logger: Logger;

  constructor(opts: GrafanaSinkOptions) {
    this.#opts = opts;
    this.#logger = opts.logger;
  }

  async deliver(delivery: Delivery<GrafanaServiceConfig>): Promise<DeliveryReceipt> {
    const service = delivery.service;
    const recipient = delivery.destination.recipient;
    const where = grafanaWhere(service, recipient);
    const req = buildGrafanaRequest(service, recipient, delivery.notification, where);
    if (!req.region) return { ref: String(await this.#create(delivery, where, req.body)) };

    const key = [
      service.name,
      service.apiUrl,
      service.dashboardUID ?? "",
      String(service.panelId ?? ""),
      recipient,
      req.region,
    ];
    const regions = this.#opts.regions;
    const state = <T>(what: string, p: Promise<T>) => withState(where, what, p);
    let rec = await state("read", regions.get(key));
    if (rec?.state === "creating") {
      const found = await this.#find(delivery, where, rec.time, req.body);
      if (found === undefined) rec = undefined;
      else {
        rec = { state: "created", id: found, time: rec.time };
        await state("record", regions.set(key, rec));
      }
    }
    if (rec?.state === "created") {
      if (await this.#patch(delivery, where, rec.id, req)) return { ref: String(rec.id) };
      this.#logger.info(
        { jobId: delivery.jobId, service: service.name, recipient, annotationId: rec.id },
        "grafana region annotation no longer exists: creating it again",
      );
    }
    await state("record", regions.set(key, { state: "creating", time: req.body.time }));
    let id: number;
    try {
      id = await this.#create(delivery, where, req.body);
    } catch (err) {
      if (err instanceof DeliveryError && definitelyNotCreated(err))
        await state("clear", regions.delete(key));
      throw err;
    }
    await state("record", regions.set(key, { state: "created", id, time: req.body.time }));
    return { ref: String(id) };
  }

  /** POST the annotation; its id. */
  async #create(
    delivery: Delivery<GrafanaServiceConfig>,
    where: string,
    body: GrafanaAnnotationBody,
  ): Promise<number> {
    const url = grafanaAnnotationsUrl(delivery.service);
    const a = await this.#call(delivery, where, { url, method: "POST", body: JSON.stringify(body) });
    const id = a.json.id;
    if (a.statusCode === 200 && typeof id === "number") {
      this.#logger.debug(
        {
          jobId: delivery.jobId,
          ...(delivery.about ?? {}),
          service: delivery.service.name,
          annotationId: id,
        },
        "grafana annotation added",
      );
      return id;
    }
    throw failure(`${where}: POST annotations`, a);
  }

  /** PATCH the region's annotation; false when it no longer exists (404). */
  async #patch(
    delivery: Delivery<GrafanaServiceConfig>,
    where: string,
    id: number,
    req: GrafanaRequest,
  ): Promise<boolean> {
    const url = grafanaAnnotationsUrl(delivery.service, id);
    const body = JSON.stringify(grafanaPatchFor(req));
    const a = await this.#call(delivery, where, { url, method: "PATCH", body });
    if (a.statusCode === 200) {
      this.#logger.debug(
        {
          jobId: delivery.jobId,
          ...(delivery.about ?? {}),
          service: delivery.service.name,
          annotationId: id,
        },
        "grafana annotation patched",
      );
      return true;
    }
    if (a.statusCode === 404) return false;
    throw failure(`${where}: PATCH annotation ${id}`, a);
  }

  /** The id of the annotation an unanswered POST may have created (time and every tag match), if found. */
  async #find(
    delivery: Delivery<GrafanaServiceConfig>,
    where: string,
    time: number,
    body: GrafanaAnnotationBody,
  ): Promise<number | undefined> {
    const url = grafanaSearchUrl(delivery.service, time, body.tags);
    const a = await this.#call(delivery, where, { url, method: "GET", body: null });
    if (a.statusCode !== 200) {
      const err = failure(`${where}: GET annotations`, a);
      if (err.transient) throw err;
      this.#logger.warn(
        { jobId: delivery.jobId, service: delivery.service.name, reason: err.message },
        "grafana: cannot look for an annotation an interrupted attempt may have added; adding it (it may show twice)",
      );
      return undefined;
    }
    let list: unknown;
    try {
      list = JSON.parse(a.text);
    } catch {
      list = undefined;
    }
    if (!Array.isArray(list)) throw failure(`${where}: GET annotations`, { ...a, statusCode: 502 });
    const ids = list
      .filter((x): x is { id: number; time?: unknown; tags?: unknown } => typeof x?.id === "number")
      .filter(
        (x) =>
          x.time === time &&
          Array.isArray(x.tags) &&
          body.tags.every((t) => (x.tags as unknown[]).includes(t)),
      )
      .map((x) => x.id);
    return ids.length ? Math.min(...ids) : undefined;
  }

  async #call(
    delivery: Delivery<GrafanaServiceConfig>,
    where: string,
    spec: { url: URL; method: "GET" | "POST" | "PATCH"; body: string | null },
  ): Promise<Answer> {
    const service = delivery.service;
    const headers: Record<string, string> = {
      authorization: `Bearer ${service.apiKey}`,
      accept: "application/json",
    };
    if (spec.body !== null) headers["content-type"] = "application/json";
    const res = await sendHttpRequest(
      delivery,
      where,
      {
        url: spec.url,
        method: spec.method,
        headers,
        body: spec.body,
        timeoutMs: this.#opts.timeoutMs ?? GRAFANA_TIMEOUT_MS,
        insecureSkipVerify: service.insecureSkipVerify === true,
      },
      this.#opts,
    );
    let json: Record<string, unknown> = {};
    try {
      const parsed = JSON.parse(res.text) as unknown;
      if (parsed && typeof parsed === "object" && !Array.isArray(parsed))
        json = parsed as Record<string, unknown>;
    } catch {
      // not JSON: classified by the status
    }
    return { ...res, json };
  }
}

/** Grafana's answer as a DeliveryError (a 200 without what was asked stands for a bad gateway answer). */
function failure(what: string, a: Answer): DeliveryError {
  const detail = typeof a.json.message === "string" ? a.json.message : snippet(a.text);
  return deliveryErrorForAnswer(what, a, detail, a.statusCode === 200 ? 502 : a.statusCode);
}

/** Whether a failed POST certainly created nothing: Grafana answered with a 4xx, or the request was never sent. */
function definitelyNotCreated(err: DeliveryError): boolean {
  if (err.code === "blocked_address") return true;
  const status = /^http_(\d{3})$/.exec(err.code)?.[1];
  return status !== undefined && Number(status) >= 400 && Number(status) < 500;
}

async function withState<T>(where: string, what: string, p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (err) {
    throw new DeliveryError(`${where}: cannot ${what} the region's annotation id: ${messageOf(err)}`, {
      transient: true,
      code: "state_unavailable",
      cause: err,
    });
  }
}
