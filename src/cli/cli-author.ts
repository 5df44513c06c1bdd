// Who a one-shot command acts as (silences it creates, dead letters it purges): whoever can reach the Redis may
// write, so the name is what they say (--author), else the OS user; prefixed "cli:" so the console tells them apart.
import { userInfo } from "node:os";

export function cliAuthor(env: NodeJS.ProcessEnv, given?: string): string {
  let user = given;
  if (!user) {
    try {
      user = env.USER || userInfo().username;
    } catch {
      user = "unknown";
    }
  }
  return `cli:${user}`;
}
