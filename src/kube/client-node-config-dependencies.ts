// What `@kubernetes/client-node`'s KubeConfig (dist/config.js) imports from the package's generated code
// (`./gen/index.js`): only `createConfiguration` and `ServerConfiguration`, both from small modules. The
// generated index also loads every model and API client of the Kubernetes API (~16 MB of heap and ~9 MB
// outside it, most of the package's cost), which the service does not use; the CLI points KubeConfig's import
// at this module instead (src/cli/kube-config-without-generated-apis.ts). Same modules, same instances: requests
// still go through client-node's KubeConfig, its authenticators and its server configuration.
export { createConfiguration } from "@kubernetes/client-node/dist/gen/configuration.js";
export { ServerConfiguration } from "@kubernetes/client-node/dist/gen/servers.js";
