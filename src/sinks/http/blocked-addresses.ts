// Which IP addresses a namespace's self-service webhook may not reach: loopback, link-local (cloud metadata
// lives at 169.254.169.254 / fd00:ec2::254), private, shared (CGNAT), unspecified, multicast, broadcast and
// reserved ranges. IPv4-mapped and NAT64 IPv6 addresses are judged by the IPv4 address they carry.
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

/** The IPv4 address embedded in an IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible or NAT64 (64:ff9b::/96) address. */
function embeddedIPv4(address: string): string | undefined {
  const lower = address.toLowerCase();
  const dotted = /^(?:::ffff:(?:0{1,4}:)?|::|64:ff9b::)(\d{1,3}(?:\.\d{1,3}){3})$/.exec(lower);
  if (dotted?.[1] && isIP(dotted[1]) === 4) return dotted[1];
  const hex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (hex?.[1] && hex[2]) {
    const hi = Number.parseInt(hex[1], 16);
    const lo = Number.parseInt(hex[2], 16);
    return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  }
  return undefined;
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
    const v4 = embeddedIPv4(unzoned);
    if (v4 !== undefined) return blockedAddressReason(v4);
  }
  const type = family === 4 ? "ipv4" : "ipv6";
  for (const [why, list] of lists) if (list.check(unzoned, type)) return why;
  return undefined;
}
