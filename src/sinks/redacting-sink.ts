// Every sink the registry creates is wrapped so that a DeliveryError never carries a secret of its service, even
// when the remote echoed one (a token in an error body, a webhook path): the message is redacted with the type's
// `secrets(config)`, and a cause that mentions a secret is dropped.
import type { ServiceConfigBase } from "../config/types.ts";
import { redactSecrets } from "./common/redacted.ts";
import type { ServiceTypeDefinition } from "./service-type.ts";
import { type Delivery, DeliveryError, type DeliveryReceipt, type Sink } from "./sink.ts";

export function redactingSink<C extends ServiceConfigBase>(
  def: ServiceTypeDefinition<C>,
  sink: Sink<C>,
): Sink<C> {
  const wrapped: Sink<C> = {
    type: sink.type,
    async deliver(delivery: Delivery<C>): Promise<DeliveryReceipt> {
      try {
        return await sink.deliver(delivery);
      } catch (err) {
        throw redactedError(err, def.secrets(delivery.service));
      }
    },
  };
  if (sink.close) wrapped.close = () => sink.close!();
  return wrapped;
}

function redactedError(err: unknown, secrets: string[]): unknown {
  const redact = (t: string) => redactSecrets(t, secrets);
  if (err instanceof DeliveryError) {
    const causeText = err.cause === undefined ? "" : String((err.cause as Error)?.message ?? err.cause);
    const message = redact(err.message);
    if (message === err.message && redact(causeText) === causeText) return err;
    const opts: { transient: boolean; code: string; retryAfterMs?: number; cause?: unknown } = {
      transient: err.transient,
      code: redact(err.code),
    };
    if (err.retryAfterMs !== undefined) opts.retryAfterMs = err.retryAfterMs;
    if (redact(causeText) === causeText) opts.cause = err.cause;
    return new DeliveryError(message, opts);
  }
  if (err instanceof Error) {
    const message = redact(err.message);
    if (message === err.message) return err;
    const copy = new Error(message);
    copy.name = err.name;
    const code = (err as { code?: unknown }).code;
    if (code !== undefined) (copy as { code?: unknown }).code = code;
    return copy;
  }
  return typeof err === "string" ? redact(err) : err;
}
