// Runs before `npm test`: fail at once, with the one-line fix, when a prerequisite is missing.
import { execFileSync } from "node:child_process";

const problems: string[] = [];
const major = Number(process.versions.node.split(".")[0]);
if (major < 24) {
  problems.push(
    `Node ${process.versions.node} is too old: run through npm (npm ci installs Node 24 into node_modules/.bin).`,
  );
}
try {
  execFileSync("redis-server", ["--version"], { stdio: "ignore" });
} catch {
  problems.push(
    "redis-server not found: install it with `apt-get update && apt-get install -y redis-server`.",
  );
}
try {
  execFileSync("kubectl", ["version", "--client"], { stdio: "ignore" });
} catch {
  problems.push("kubectl not found (the Kubernetes witness tests need it): install kubectl on PATH.");
}
if (process.getuid?.() === 0) {
  // test/package/production-install.test.ts runs the installed package as an unprivileged user
  try {
    execFileSync("setpriv", ["--version"], { stdio: "ignore" });
  } catch {
    problems.push("setpriv not found (util-linux): install it with `apt-get install -y util-linux`.");
  }
}
if (problems.length > 0) {
  for (const p of problems) console.error(`prerequisite missing: ${p}`);
  process.exit(1);
}
