// The environment a new shell would have, for tests that run npm or a README command themselves. `npm test` adds
// npm_* settings to its children, among them npm_config_local_prefix (this checkout): an `npm install` or
// `npm pack` started with them would act on this checkout instead of the folder it runs in.
import { resolve } from "node:path";

/** process.env without npm's run-script additions, and without PATH entries inside `repo`. */
export function shellEnv(repo: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^npm_/i.test(k) && k !== "INIT_CWD" && k !== "NODE") env[k] = v;
  }
  env.PATH = (process.env.PATH ?? "")
    .split(":")
    .filter((dir) => dir && !resolve(dir).startsWith(`${resolve(repo)}/`))
    .join(":");
  return env;
}
