// Decoding of Kubernetes protobuf request bodies (application/vnd.kubernetes.protobuf). kubectl's typed
// commands (`kubectl create namespace`, `kubectl create configmap|secret`) send built-in objects as protobuf,
// as a real server accepts. Only the kinds served here are decoded: Namespace, ConfigMap, Secret, Lease;
// responses are always JSON (kubectl accepts "application/vnd.kubernetes.protobuf,application/json").
import type { KubeObject } from "../../../src/kube/objects.ts";
import { badRequest } from "./status-errors.ts";

export const PROTOBUF = "application/vnd.kubernetes.protobuf";
const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]); // "k8s\0"

interface Field {
  no: number;
  varint?: number;
  bytes?: Buffer;
}

function readVarint(buf: Buffer, pos: number): [number, number] {
  let result = 0;
  let mul = 1;
  for (;;) {
    if (pos >= buf.length) throw new Error("truncated varint");
    const b = buf[pos++]!;
    result += (b & 0x7f) * mul;
    if ((b & 0x80) === 0) return [result, pos];
    mul *= 128;
  }
}

function parseFields(buf: Buffer): Field[] {
  const out: Field[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const [key, p1] = readVarint(buf, pos);
    pos = p1;
    const no = Math.floor(key / 8);
    const wire = key & 7;
    if (wire === 0) {
      const [v, p2] = readVarint(buf, pos);
      out.push({ no, varint: v });
      pos = p2;
    } else if (wire === 2) {
      const [len, p2] = readVarint(buf, pos);
      out.push({ no, bytes: buf.subarray(p2, p2 + len) });
      pos = p2 + len;
    } else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else throw new Error(`unsupported wire type ${wire}`);
  }
  return out;
}

const str = (f: Field) => f.bytes?.toString("utf8") ?? "";

function mapEntry(f: Field): [string, Buffer] {
  let k = "";
  let v: Buffer = Buffer.alloc(0);
  for (const e of parseFields(f.bytes ?? Buffer.alloc(0))) {
    if (e.no === 1) k = str(e);
    if (e.no === 2) v = e.bytes ?? Buffer.alloc(0);
  }
  return [k, v];
}

function time(f: Field, micro: boolean): string {
  let seconds = 0;
  let nanos = 0;
  for (const e of parseFields(f.bytes ?? Buffer.alloc(0))) {
    if (e.no === 1) seconds = e.varint ?? 0;
    if (e.no === 2) nanos = e.varint ?? 0;
  }
  const iso = new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, "");
  return micro ? `${iso}.${String(Math.floor(nanos / 1000)).padStart(6, "0")}Z` : `${iso}Z`;
}

function objectMeta(buf: Buffer): KubeObject["metadata"] {
  const meta: Record<string, unknown> = {};
  const strings: Record<number, string> = {
    1: "name",
    2: "generateName",
    3: "namespace",
    5: "uid",
    6: "resourceVersion",
  };
  for (const f of parseFields(buf)) {
    if (strings[f.no]) {
      if (str(f) !== "") meta[strings[f.no]!] = str(f); // proto2 optional strings arrive even when empty
    } else if (f.no === 7) meta.generation = f.varint;
    else if (f.no === 8) meta.creationTimestamp = time(f, false);
    else if (f.no === 11 || f.no === 12) {
      const key = f.no === 11 ? "labels" : "annotations";
      const [k, v] = mapEntry(f);
      meta[key] = { ...((meta[key] as Record<string, string>) ?? {}), [k]: v.toString("utf8") };
    } else if (f.no === 14) meta.finalizers = [...((meta.finalizers as string[]) ?? []), str(f)];
    else if (f.no === 13) {
      const ref: Record<string, unknown> = {};
      for (const e of parseFields(f.bytes!)) {
        if (e.no === 1) ref.kind = str(e);
        if (e.no === 3) ref.name = str(e);
        if (e.no === 4) ref.uid = str(e);
        if (e.no === 5) ref.apiVersion = str(e);
        if (e.no === 6) ref.controller = e.varint === 1;
        if (e.no === 7) ref.blockOwnerDeletion = e.varint === 1;
      }
      meta.ownerReferences = [...((meta.ownerReferences as unknown[]) ?? []), ref];
    }
  }
  return meta as unknown as KubeObject["metadata"];
}

function decodeKind(kind: string, raw: Buffer): Record<string, unknown> {
  const obj: Record<string, unknown> = {};
  const map = (key: string, f: Field, encode: (b: Buffer) => string) => {
    const [k, v] = mapEntry(f);
    obj[key] = { ...((obj[key] as Record<string, string>) ?? {}), [k]: encode(v) };
  };
  const utf8 = (b: Buffer) => b.toString("utf8");
  const base64 = (b: Buffer) => b.toString("base64");
  for (const f of parseFields(raw)) {
    if (f.no === 1) {
      obj.metadata = objectMeta(f.bytes!);
      continue;
    }
    if (kind === "Namespace" && f.no === 2) {
      obj.spec = {
        finalizers: parseFields(f.bytes!)
          .filter((e) => e.no === 1)
          .map(str),
      };
    } else if (kind === "Namespace" && f.no === 3) {
      obj.status = {
        phase: parseFields(f.bytes!)
          .filter((e) => e.no === 1)
          .map(str)[0],
      };
    } else if (kind === "ConfigMap" && f.no === 2) map("data", f, utf8);
    else if (kind === "ConfigMap" && f.no === 3) map("binaryData", f, base64);
    else if (kind === "ConfigMap" && f.no === 4) obj.immutable = f.varint === 1;
    else if (kind === "Secret" && f.no === 2) map("data", f, base64);
    else if (kind === "Secret" && f.no === 3) {
      if (str(f) !== "") obj.type = str(f);
    } else if (kind === "Secret" && f.no === 4) map("stringData", f, utf8);
    else if (kind === "Secret" && f.no === 5) obj.immutable = f.varint === 1;
    else if (kind === "Lease" && f.no === 2) {
      const spec: Record<string, unknown> = {};
      for (const e of parseFields(f.bytes!)) {
        if (e.no === 1) spec.holderIdentity = str(e);
        if (e.no === 2) spec.leaseDurationSeconds = e.varint;
        if (e.no === 3) spec.acquireTime = time(e, true);
        if (e.no === 4) spec.renewTime = time(e, true);
        if (e.no === 5) spec.leaseTransitions = e.varint;
        if (e.no === 6) spec.strategy = str(e);
        if (e.no === 7) spec.preferredHolder = str(e);
      }
      obj.spec = spec;
    } else {
      throw new Error(`field ${f.no} of ${kind} is not decoded by the test API server`);
    }
  }
  return obj;
}

/** Decodes a "k8s\0"-framed runtime.Unknown holding one of the served built-in kinds. */
export function decodeProtobufObject(body: Buffer): KubeObject {
  try {
    if (!body.subarray(0, 4).equals(MAGIC)) throw new Error("missing k8s protobuf magic");
    let apiVersion = "";
    let kind = "";
    let raw: Buffer = Buffer.alloc(0);
    for (const f of parseFields(body.subarray(4))) {
      if (f.no === 1) {
        for (const e of parseFields(f.bytes!)) {
          if (e.no === 1) apiVersion = str(e);
          if (e.no === 2) kind = str(e);
        }
      } else if (f.no === 2) raw = f.bytes ?? raw;
    }
    if (!["Namespace", "ConfigMap", "Secret", "Lease"].includes(kind)) {
      throw new Error(`protobuf decoding of kind "${kind}" is not supported by the test API server`);
    }
    return { apiVersion, kind, ...decodeKind(kind, raw) } as unknown as KubeObject;
  } catch (err) {
    throw badRequest(`couldn't decode the protobuf request body: ${(err as Error).message}`);
  }
}
