// The Grafana service type (notifications-engine `grafana`): annotations through the HTTP API, the recipient being
// the annotation's tags (`tag1|tag2`). Extension: one region annotation per Rollout revision (grafana-sink.ts).

import { revisionStore } from "../common/revision-store.ts";
import { sinkOptions } from "../common/sink-options.ts";
import type { ServiceTypeDefinition } from "../service-type.ts";
import { builtinGrafanaTemplate } from "./grafana-builtin.ts";
import { GRAFANA_IGNORED_KEYS, grafanaConfigSchema, grafanaTemplateSchema } from "./grafana-config.ts";
import { grafanaEscapeMode, grafanaTemplateSources, renderGrafana } from "./grafana-render.ts";
import { grafanaRecipientProblem, normalizeGrafanaRecipient } from "./grafana-request.ts";
import { GrafanaSink, parseGrafanaRegionRecord } from "./grafana-sink.ts";
import type { GrafanaAnnotationPart, GrafanaServiceConfig, GrafanaTemplateSpec } from "./grafana-types.ts";
import { type GrafanaWirePayload, grafanaCaptureLine, grafanaWirePayload } from "./grafana-wire.ts";

/** How long a region's annotation id is kept after its last notification. */
const REGION_TTL_SEC = 30 * 24 * 60 * 60;

export const grafanaService: ServiceTypeDefinition<
  GrafanaServiceConfig,
  GrafanaTemplateSpec,
  GrafanaAnnotationPart,
  GrafanaWirePayload
> = {
  type: "grafana",
  docs: "docs/services/grafana.md",
  config: { schema: grafanaConfigSchema, ignoredKeys: GRAFANA_IGNORED_KEYS },
  secrets: (c) => [c.apiKey],
  recipients: {
    normalize: normalizeGrafanaRecipient,
    problem: (_c, r) => {
      const why = grafanaRecipientProblem(r);
      return why ? `cannot annotate with tags ${JSON.stringify(r)}: ${why}` : undefined;
    },
  },
  templates: {
    section: "grafana",
    schema: grafanaTemplateSchema,
    knownKeys: Object.keys(grafanaTemplateSchema.shape),
    sources: grafanaTemplateSources,
    escapeMode: grafanaEscapeMode,
    builtin: builtinGrafanaTemplate,
  },
  part: "grafana",
  render: renderGrafana,
  wirePayload: grafanaWirePayload,
  captureLine: grafanaCaptureLine,
  threading:
    "one region annotation per Rollout revision: the first notification adds it, later ones replace its text, the completion or abort sets its end",
  previewConfig: (name) => ({
    type: "grafana",
    name,
    apiUrl: "https://grafana.example.com/api",
    apiKey: "preview-key-not-used",
  }),
  createSink: (deps) =>
    new GrafanaSink({
      ...sinkOptions(deps),
      regions: revisionStore(deps, {
        type: "grafana",
        kind: "region",
        ttlSec: REGION_TTL_SEC,
        parse: parseGrafanaRegionRecord,
      }),
    }),
};
