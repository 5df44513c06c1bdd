// Headless Chromium for the console's browser tests: Debian's `chromium` (installed by scripts/check-prereqs.ts)
// driven by playwright-core. No browser is ever downloaded.
import { execFileSync } from "node:child_process";
import { type Browser, chromium } from "playwright-core";

export function chromiumPath(): string {
  for (const name of ["chromium", "chromium-browser"]) {
    try {
      return execFileSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" }).trim();
    } catch {
      // next
    }
  }
  throw new Error(
    "chromium not found on PATH: apt-get install -y chromium (npm test's pretest does it as root)",
  );
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    // root in CI containers: Chromium's sandbox needs user namespaces it may not get
    args: ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
  });
}
