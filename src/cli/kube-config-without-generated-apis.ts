// Loads `@kubernetes/client-node`'s KubeConfig without the package's generated API models and clients.
// KubeConfig (dist/config.js) imports `./gen/index.js` for two small things, and that index loads every
// generated model and API of the Kubernetes API: measured, importing KubeConfig costs 25.0 MB of heap and
// 11.6 MB external, 9.3 MB and 2.7 MB with this hook. A module resolution hook answers that one import (from
// that one file) with src/kube/client-node-config-dependencies.ts, which exports the same two names from the
// same modules; every other import, including the package's own index (the console's TokenReview and
// SubjectAccessReview clients), resolves as usual. Should a later client-node import something else from the
// generated index in config.js, loading fails at start with the missing name (a test covers the package
// installed here: test/cli/kube-config-without-generated-apis.test.ts).
import { registerHooks } from "node:module";

const FROM = "/@kubernetes/client-node/dist/config.js";
const SPECIFIER = "./gen/index.js";

/** The URL of the module that replaces client-node's generated index for KubeConfig (a .ts file when run from source). */
export const configDependenciesUrl = new URL(
  `../kube/client-node-config-dependencies${import.meta.url.endsWith(".ts") ? ".ts" : ".js"}`,
  import.meta.url,
).href;

let registered = false;

/** Registers the resolution hook once per process; modules imported after it load KubeConfig slim. */
export function loadKubeConfigWithoutGeneratedApis(): void {
  if (registered) return;
  registered = true;
  registerHooks({
    resolve(specifier, context, nextResolve) {
      if (specifier === SPECIFIER && context.parentURL?.endsWith(FROM)) {
        return { url: configDependenciesUrl, shortCircuit: true };
      }
      return nextResolve(specifier, context);
    },
  });
}
