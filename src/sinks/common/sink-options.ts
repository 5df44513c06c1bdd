import type { SinkDeps } from "../service-type.ts";

type CommonSinkOptions = Pick<
  SinkDeps,
  "dispatchers" | "logger" | "timeoutMs" | "allowPrivateNetworks" | "now"
>;

/** The options every HTTP sink takes, from the registry's SinkDeps (only the ones that are set). */
export function sinkOptions(deps: SinkDeps): CommonSinkOptions {
  const out: CommonSinkOptions = { dispatchers: deps.dispatchers, logger: deps.logger };
  if (deps.timeoutMs !== undefined) out.timeoutMs = deps.timeoutMs;
  if (deps.allowPrivateNetworks !== undefined) out.allowPrivateNetworks = deps.allowPrivateNetworks;
  if (deps.now !== undefined) out.now = deps.now;
  return out;
}
