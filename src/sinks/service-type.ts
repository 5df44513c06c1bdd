// Everything about one service type, behind one interface: src/sinks/<type>/ exports one
// `ServiceTypeDefinition` and src/sinks/registry.ts lists them. Config loading, template compilation and
// rendering, built-in templates, `replay --dry-run`/`--capture`, recipient checks, rate limits, secret redaction
// and the queue's sinks all go through the registry; nothing else names a service type.

import type { z } from "zod";
import type { Destination, ServiceConfigBase } from "../config/types.ts";
import type { Logger } from "../logger.ts";
import type { RateLimit } from "../queue/rate-limit.ts";
import type { RedisClient } from "../redis/redis-connection.ts";
import type { TriggerPresentation } from "../templates/builtin/trigger-presentation.ts";
import type { CompiledTemplate } from "../templates/compile.ts";
import type { TemplateContext } from "../templates/context.ts";
import type { EscapeMode } from "../templates/escaping.ts";
import type { Notification } from "../templates/notification.ts";
import type { HttpDispatchers } from "./http/http-dispatchers.ts";
import type { Sink } from "./sink.ts";

/** A wire payload as `replay --dry-run` prints it; `type` is the service type. No secret values in it. */
export interface WirePayloadBase {
  type: string;
}

export interface WirePayloadInput<C extends ServiceConfigBase> {
  jobId: string;
  destination: Destination;
  service: C;
  notification: Notification;
  /** Timestamp for time-stamped payloads (fixed for deterministic output). */
  now: Date;
}

/** What `replay --capture` recorded for one delivery. */
export interface CapturedPayload<W extends WirePayloadBase = WirePayloadBase> {
  /** Service name as configured. */
  service: string;
  recipient: string;
  payload: W;
}

export interface RenderInput<C extends ServiceConfigBase> {
  /** The templates the trigger sends, in order (a later template's non-empty field wins). */
  templates: readonly CompiledTemplate[];
  ctx: TemplateContext;
  service: C;
  /**
   * The trigger's built-in template, for a service section no configured template has (throws a TemplateError
   * naming the section when the trigger has none).
   */
  builtin(): CompiledTemplate[];
}

/** What a type's sink may use: shared keep-alive HTTP agents, Redis for state that must survive restarts. */
export interface SinkDeps {
  dispatchers: HttpDispatchers;
  logger: Logger;
  /** Durable state (threads, open incidents); without it state is process-local (demo, tests). */
  redis?: RedisClient;
  /** Request timeout for the service's API calls. */
  timeoutMs?: number;
  /** Let namespace-defined services reach private/loopback addresses (--allow-private-webhooks). */
  allowPrivateNetworks?: boolean;
  /** Per-type state overrides by type name (tests): e.g. `{ slack: new InMemorySlackState() }`. */
  state?: Readonly<Record<string, unknown>>;
  /** Clock for time-stamped payloads (tests compare them with `wirePayload` built for the same instant). */
  now?: () => number;
}

export interface ServiceTypeDefinition<
  C extends ServiceConfigBase = ServiceConfigBase,
  Section = unknown,
  Part = unknown,
  W extends WirePayloadBase = WirePayloadBase,
> {
  /** `service.<type>` in the ConfigMap (upstream's name). */
  readonly type: C["type"];
  /** Where users read about it, relative to the repository (docs/services/<type>.md). */
  readonly docs: string;

  readonly config: {
    /** The service's keys (upstream names and defaults), without type/name/tenantNamespace. */
    schema: z.ZodObject;
    /** Upstream keys accepted without effect (no warning). */
    ignoredKeys?: readonly string[];
    /**
     * Why a namespace's own service (self-service ConfigMap) may not be configured this way (e.g. it would use the
     * notifier's own files or identity): an error on that key at load; undefined when it may.
     */
    tenantProblem?(config: C): { path: string; message: string } | undefined;
  };
  /** Config values that are secret or may embed one (tokens, keys, passwords, webhook URLs): redacted everywhere. */
  secrets(config: C): string[];

  readonly recipients: {
    /** Canonical form of a recipient as written in a subscription (e.g. "#deploys" → "deploys"). */
    normalize?(recipient: string): string;
    /** Why this service cannot send to `recipient` (reported for the subscription), or undefined when it can. */
    problem(config: C, recipient: string): string | undefined;
  };

  readonly templates: {
    /** The template section (`<section>:` in a template), e.g. "slack", "pagerdutyv2". */
    section: string;
    /** Validates the section as written; unknown keys are warnings. */
    schema: z.ZodType<Section>;
    /** Known keys of the section (for unknown-key warnings); undefined when the section is a map of names. */
    knownKeys?: readonly string[];
    /** Every template string of the section: [field path relative to the section, source]. */
    sources(section: Section): [string, string][];
    /** Escaping of `{{x}}` in a field (path relative to the section). */
    escapeMode(field: string, source: string): EscapeMode;
    /** The section of the built-in template of a trigger. */
    builtin(p: TriggerPresentation): Section;
    /**
     * Upstream's error when a notification has no part for this type (its Send fails: nothing is sent), where
     * this service sends the trigger's built-in section instead; undefined when upstream sends `message` alone.
     */
    upstreamFailsWithoutSection?: string;
    /**
     * What upstream sends when a notification has no part for the service (its Send does not fail), where this
     * service sends the trigger's built-in section instead; undefined when the two agree.
     */
    upstreamSendsWithoutSection?: string;
    /** Whether a template's section has a part for the service named `name` (default: the section exists). */
    sectionFor?(section: Section, name: string): boolean;
  };

  /** Key of the rendered part in a Notification (e.g. "slack", "pagerduty"). */
  readonly part: string;
  /** Renders the service's part of a notification for one destination. Throws TemplateError. */
  render(input: RenderInput<C>): Part;

  /**
   * What the sink would send, with secrets replaced by "[redacted]": printed by `replay --dry-run`, recorded by
   * `--capture`. Built with the sink's own request builder, so a payload the sink would reject fails here the same
   * way (DeliveryError) and the payload equals the bytes sent.
   */
  wirePayload(input: WirePayloadInput<C>): W;
  /** One readable line for a captured delivery (`replay --capture`). */
  captureLine(c: CapturedPayload<W>): string;

  /** Default per-destination rate limit (GCRA); undefined = unlimited here (the sink honours 429s). */
  readonly rateLimit?: RateLimit;
  /** One thread (or equivalent) per Rollout revision, and how. */
  readonly threading?: string;
  /** What happens on completion of a revision whose abort opened an alert/incident. */
  readonly resolvesOnCompletion?: string;

  /** A placeholder config for previews (`template notify --service <type>[.<name>]`). */
  previewConfig(name: string): C;
  /** Problems of a rendered part worth warning about in previews (sizes, limits). */
  previewWarnings?(part: Part): string[];

  /** The sink; it throws DeliveryError (transient → retried, honouring retryAfterMs; else dead letter). */
  createSink(deps: SinkDeps): Sink<C>;
}

/** Any registered type (the registry's element type). */
// biome-ignore lint/suspicious/noExplicitAny: the registry holds definitions of different config types
export type AnyServiceTypeDefinition = ServiceTypeDefinition<any, any, any, any>;
