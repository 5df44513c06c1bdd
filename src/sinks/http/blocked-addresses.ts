// Which IP addresses a namespace's self-service webhook may not reach: loopback, link-local (cloud metadata
// lives at 169.254.169.254 / fd00:ec2::254), private, shared (CGNAT), unspecified, multicast, broadcast and
// reserved ranges. IPv6 addresses that carry an IPv4 address (IPv4-compatible, -mapped, -translated, NAT64,
// 6to4, Teredo; any spelling) are judged by the IPv4 address they carry as well.
import { BlockList, isIP } from "node:net";

const V4_RANGES: [string, number, string][] = [
  ["0.0.0.0", 8, "unspecified"],
  ["10.0.0.0", 8, "private"],
  ["100.64.0.0", 10, "shared (CGNAT)"],
  ["127.0.0.0", 8, "loopback"],
  ["169.254.0.0", 16, "link-local"],
  ["172.16.0.0", 12, "private"],
  ["192.0.0.0", 24, "IETF protocol assignments"],
  ["192.168.0.0", 16, "private"],
  ["198.18.0.0", 15, "benchmarking"],
  ["224.0.0.0", 4, "multicast"],
  ["240.0.0.0", 4, "reserved/broadcast"],
];

const V6_RANGES: [string, number, string][] = [
  ["::", 128, "unspecified"],
  ["::1", 128, "loopback"],
  ["fe80::", 10, "link-local"],
  ["fec0::", 10, "site-local"],
  ["fc00::", 7, "private (unique local)"],
  ["ff00::", 8, "multicast"],
  ["100::", 64, "discard"],
];

const lists = new Map<string, BlockList>();
for (const [addr, prefix, why] of V4_RANGES) {
  const l = lists.get(why) ?? new BlockList();
  l.addSubnet(addr, prefix, "ipv4");
  lists.set(why, l);
}
for (const [addr, prefix, why] of V6_RANGES) {
  const l = lists.get(why) ?? new BlockList();
  l.addSubnet(addr, prefix, "ipv6");
  lists.set(why, l);
}

/** The 16 bytes of an IPv6 literal (any spelling: `::`, leading zeros, upper case, trailing dotted IPv4). */
export function ipv6Bytes(address: string): number[] | undefined {
  if (isIP(address) !== 6) return undefined;
  let text = address.toLowerCase();
  const dotted = /(\d{1,3}(?:\.\d{1,3}){3})$/.exec(text);
  if (dotted?.[1]) {
    const [a, b, c, d] = dotted[1].split(".").map(Number) as [number, number, number, number];
    text = `${text.slice(0, -dotted[1].length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(":") : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(":") : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 0) return undefined;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...tail];
  const bytes: number[] = [];
  for (const g of groups) {
    const v = Number.parseInt(g, 16);
    if (!/^[0-9a-f]{1,4}$/.test(g) || Number.isNaN(v)) return undefined;
    bytes.push(v >> 8, v & 255);
  }
  return bytes.length === 16 ? bytes : undefined;
}

const v4 = (b: number[], at: number, xor = 0) =>
  [b[at]! ^ xor, b[at + 1]! ^ xor, b[at + 2]! ^ xor, b[at + 3]! ^ xor].join(".");
const zero = (b: number[], from: number, to: number) => b.slice(from, to).every((x) => x === 0);

/**
 * The IPv4 addresses an IPv6 address carries, in every form a packet can reach them through: IPv4-compatible
 * (::a.b.c.d, deprecated but still routed by some stacks), IPv4-mapped (::ffff:a.b.c.d, any spelling),
 * IPv4-translated (::ffff:0:a.b.c.d), NAT64 (64:ff9b::/96 and the local-use 64:ff9b:1::/48), 6to4 (2002::/16)
 * and Teredo (2001:0::/32: the server and the obfuscated client address).
 */
export function embeddedIPv4s(address: string): string[] {
  const b = ipv6Bytes(address);
  if (!b) return [];
  const out: string[] = [];
  if (zero(b, 0, 10)) {
    if ((b[10] === 0xff && b[11] === 0xff) || (b[10] === 0 && b[11] === 0 && !zero(b, 12, 15)))
      out.push(v4(b, 12));
  }
  if (zero(b, 0, 8) && b[8] === 0xff && b[9] === 0xff && b[10] === 0 && b[11] === 0) out.push(v4(b, 12));
  if (b[0] === 0 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b) {
    if (zero(b, 4, 12))
      out.push(v4(b, 12)); // 64:ff9b::/96
    else if (b[4] === 0 && b[5] === 1) out.push(v4(b, 12)); // 64:ff9b:1::/48 (RFC 8215)
  }
  if (b[0] === 0x20 && b[1] === 0x02) out.push(v4(b, 2)); // 6to4
  if (b[0] === 0x20 && b[1] === 0x01 && b[2] === 0 && b[3] === 0) out.push(v4(b, 4), v4(b, 12, 0xff)); // Teredo
  return out;
}

/**
 * Why `address` (an IP literal, brackets allowed) is not a public unicast address, or undefined when it is.
 * Anything that is not an IP literal is reported as blocked: callers pass resolved addresses only.
 */
export function blockedAddressReason(address: string): string | undefined {
  const bare = address.startsWith("[") && address.endsWith("]") ? address.slice(1, -1) : address;
  const unzoned = bare.includes("%") ? bare.slice(0, bare.indexOf("%")) : bare;
  const family = isIP(unzoned);
  if (family === 0) return "not an IP address";
  if (family === 6) {
    for (const embedded of embeddedIPv4s(unzoned)) {
      const why = blockedAddressReason(embedded);
      if (why !== undefined) return why;
    }
  }
  const type = family === 4 ? "ipv4" : "ipv6";
  for (const [why, list] of lists) if (list.check(unzoned, type)) return why;
  return undefined;
}
