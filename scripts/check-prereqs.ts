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
  execFileSync("redis-cli", ["--version"], { stdio: "ignore" });
} catch {
  problems.push("redis-cli not found (the Redis Cluster tests need it): `apt-get install -y redis-tools`.");
}
try {
  execFileSync("openssl", ["version"], { stdio: "ignore" });
} catch {
  problems.push(
    "openssl not found (the Redis TLS tests make their CA with it): `apt-get install -y openssl`.",
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
// The console's browser tests drive Debian's Chromium headless (playwright-core, never a downloaded browser).
// CI runs this as root: install it with apt-get when it is missing.
const hasChromium = () => {
  try {
    execFileSync("chromium", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
};
if (!hasChromium()) {
  if (process.getuid?.() === 0) {
    console.error("chromium not found: installing it with apt-get (for the console's browser tests)");
    try {
      execFileSync("apt-get", ["update"], { stdio: "inherit" });
      execFileSync("apt-get", ["install", "-y", "--no-install-recommends", "chromium"], {
        stdio: "inherit",
        env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
      });
    } catch {
      // reported below
    }
  }
  if (!hasChromium()) {
    problems.push(
      "chromium not found (the console's browser tests need it): `apt-get update && apt-get install -y chromium`.",
    );
  }
}
if (problems.length > 0) {
  for (const p of problems) console.error(`prerequisite missing: ${p}`);
  process.exit(1);
}
