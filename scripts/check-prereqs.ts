// Runs before `npm test`: the programs the tests run for real. Each missing one that is a Debian package is
// installed with apt-get when this runs as root (as CI does on a fresh machine); whatever is still missing then
// fails at once, naming the program, what needs it and the one-line fix.
import { execFileSync } from "node:child_process";

interface Program {
  /** The command and the arguments that make it print its version. */
  check: [string, ...string[]];
  /** The Debian package that ships it (none: not installable with apt-get). */
  aptPackage?: string;
  /** Which tests need it. */
  neededBy: string;
  /** Only needed when the tests run as root. */
  rootOnly?: boolean;
}

const PROGRAMS: Program[] = [
  { check: ["redis-server", "--version"], aptPackage: "redis-server", neededBy: "every Redis-backed test" },
  { check: ["redis-cli", "--version"], aptPackage: "redis-tools", neededBy: "the Redis Cluster tests" },
  {
    check: ["openssl", "version"],
    aptPackage: "openssl",
    neededBy: "the Redis TLS tests (they make their CA)",
  },
  { check: ["nats-server", "--version"], aptPackage: "nats-server", neededBy: "the nats service's tests" },
  {
    check: ["setpriv", "--version"],
    aptPackage: "util-linux",
    neededBy: "the production-install test (runs the package as an unprivileged user)",
    rootOnly: true,
  },
  // Debian's Chromium, driven by playwright-core: never a downloaded browser build.
  { check: ["chromium", "--version"], aptPackage: "chromium", neededBy: "the console's browser tests" },
  { check: ["kubectl", "version", "--client"], neededBy: "the Kubernetes witness tests" },
];

const isRoot = process.getuid?.() === 0;

function present(p: Program): boolean {
  try {
    execFileSync(p.check[0], p.check.slice(1), { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

const problems: string[] = [];
const major = Number(process.versions.node.split(".")[0]);
if (major < 24) {
  problems.push(`Node ${process.versions.node} is too old: run through npm (npm install installs Node 24).`);
}

const needed = PROGRAMS.filter((p) => !p.rootOnly || isRoot);
const installable = needed.filter((p) => p.aptPackage && !present(p));
if (installable.length > 0 && isRoot) {
  const packages = [...new Set(installable.map((p) => p.aptPackage as string))];
  console.error(`installing with apt-get: ${packages.join(" ")} (programs the tests run)`);
  try {
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    execFileSync("apt-get", ["update"], { stdio: "inherit", env });
    execFileSync("apt-get", ["install", "-y", "--no-install-recommends", ...packages], {
      stdio: "inherit",
      env,
    });
  } catch {
    // whatever is still missing is reported below
  }
}
for (const p of needed) {
  if (present(p)) continue;
  const fix = p.aptPackage
    ? `apt-get update && apt-get install -y ${p.aptPackage}`
    : `install ${p.check[0]} on PATH`;
  problems.push(`${p.check[0]} not found (${p.neededBy}): \`${fix}\`.`);
}

if (problems.length > 0) {
  for (const p of problems) console.error(`prerequisite missing: ${p}`);
  process.exit(1);
}
