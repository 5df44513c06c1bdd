import type { SinkDeps } from "../service-type.ts";

/** The options every HTTP sink takes, from the registry's SinkDeps (only the ones that are set). */
export function sinkOptions(
  deps: SinkDeps,
): Pick<SinkDeps, "dispatchers" | "logger" | "timeoutMs" | "allowPrivateNetworks"> {
  const out: Pick<SinkDeps, "dispatchers" | "logger" | "timeoutMs" | "allowPrivateNetworks"> = {
    dispatchers: deps.dispatchers,
    logger: deps.logger,
  };
  if (deps.timeoutMs !== undefined) out.timeoutMs = deps.timeoutMs;
  if (deps.allowPrivateNetworks !== undefined) out.allowPrivateNetworks = deps.allowPrivateNetworks;
  return out;
}
