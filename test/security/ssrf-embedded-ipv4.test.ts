// The SSRF guard judges every IPv6 form that carries an IPv4 address by that address (any spelling).
import { describe, expect, it } from "vitest";
import { blockedAddressReason, embeddedIPv4s } from "../../src/sinks/http/blocked-addresses.ts";

describe("embedded IPv4 in IPv6", () => {
  it.each([
    ["::127.0.0.1", "loopback"], // IPv4-compatible, dotted
    ["::7f00:1", "loopback"], // IPv4-compatible, hex
    ["0:0:0:0:0:0:127.0.0.1", "loopback"],
    ["::a9fe:a9fe", "link-local"],
    ["::ffff:0:127.0.0.1", "loopback"], // IPv4-translated
    ["::ffff:0:7f00:1", "loopback"],
    ["0::ffff:127.0.0.1", "loopback"], // IPv4-mapped, odd spellings
    ["::FFFF:7F00:0001", "loopback"],
    ["0000:0000:0000:0000:0000:ffff:0a00:0001", "private"],
    ["64:ff9b::169.254.169.254", "link-local"], // NAT64
    ["64:ff9b:1::a00:1", "private"], // NAT64 local use
    ["2002:7f00:1::", "loopback"], // 6to4
    ["2002:a9fe:a9fe::1", "link-local"],
    ["2001:0:4136:e378:8000:63bf:80ff:fffe", "loopback"], // Teredo, client 127.0.0.1 obfuscated
    ["[::127.0.0.1]", "loopback"],
  ])("%s is blocked (%s)", (addr, why) => {
    expect(blockedAddressReason(addr)).toBe(why);
  });

  it.each(["::ffff:8.8.8.8", "64:ff9b::8.8.8.8", "2002:808:808::1", "2606:4700:4700::1111"])(
    "%s (a public IPv4 inside) is allowed",
    (addr) => {
      expect(blockedAddressReason(addr)).toBeUndefined();
    },
  );

  it("reads the embedded address whatever the spelling", () => {
    expect(embeddedIPv4s("::127.0.0.1")).toEqual(["127.0.0.1"]);
    expect(embeddedIPv4s("2001:0:4136:e378:8000:63bf:80ff:fffe")).toEqual(["65.54.227.120", "127.0.0.1"]);
    expect(embeddedIPv4s("fe80::1")).toEqual([]);
  });
});
