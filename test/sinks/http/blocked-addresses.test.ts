import type { LookupAddress } from "node:dns";
import { describe, expect, it } from "vitest";
import { blockedAddressReason } from "../../../src/sinks/http/blocked-addresses.ts";
import { BlockedAddressError, guardedLookup } from "../../../src/sinks/http/guarded-connector.ts";

describe("blockedAddressReason", () => {
  it.each([
    ["127.0.0.1", "loopback"],
    ["127.8.9.10", "loopback"],
    ["::1", "loopback"],
    ["[::1]", "loopback"],
    ["169.254.169.254", "link-local"],
    ["fe80::1", "link-local"],
    ["fe80::1%eth0", "link-local"],
    ["fd00:ec2::254", "private (unique local)"],
    ["10.1.2.3", "private"],
    ["172.16.0.1", "private"],
    ["172.31.255.255", "private"],
    ["192.168.1.1", "private"],
    ["100.64.0.1", "shared (CGNAT)"],
    ["0.0.0.0", "unspecified"],
    ["::", "unspecified"],
    ["224.0.0.251", "multicast"],
    ["ff02::1", "multicast"],
    ["255.255.255.255", "reserved/broadcast"],
    ["::ffff:127.0.0.1", "loopback"],
    ["::ffff:7f00:1", "loopback"],
    ["::ffff:a9fe:a9fe", "link-local"],
    ["64:ff9b::10.0.0.1", "private"],
  ])("%s is blocked (%s)", (addr, why) => {
    expect(blockedAddressReason(addr)).toBe(why);
  });

  it.each(["8.8.8.8", "172.32.0.1", "1.1.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"])(
    "%s is allowed",
    (addr) => {
      expect(blockedAddressReason(addr)).toBeUndefined();
    },
  );

  it("treats non-addresses as blocked", () => {
    expect(blockedAddressReason("example.com")).toBe("not an IP address");
  });
});

describe("guardedLookup", () => {
  const resolver =
    (answers: LookupAddress[]) =>
    (_h: string, _o: unknown, cb: (err: NodeJS.ErrnoException | null, a: LookupAddress[]) => void) =>
      cb(null, answers);

  function run(answers: LookupAddress[], all: boolean): Promise<{ err: Error | null; address: unknown }> {
    const lookup = guardedLookup(resolver(answers) as never);
    return new Promise((resolve) =>
      lookup("metadata.internal", { all }, (err, address) => resolve({ err, address })),
    );
  }

  it("rejects a name resolving to the cloud metadata address", async () => {
    const { err } = await run([{ address: "169.254.169.254", family: 4 }], false);
    expect(err).toBeInstanceOf(BlockedAddressError);
    expect(err?.message).toContain("169.254.169.254");
  });

  it("rejects when any answer is blocked (a public decoy next to a private target)", async () => {
    const { err } = await run(
      [
        { address: "93.184.216.34", family: 4 },
        { address: "10.0.0.5", family: 4 },
      ],
      true,
    );
    expect(err).toBeInstanceOf(BlockedAddressError);
  });

  it("passes public answers through in both lookup shapes", async () => {
    const answers = [{ address: "93.184.216.34", family: 4 }];
    expect(await run(answers, true)).toEqual({ err: null, address: answers });
    expect(await run(answers, false)).toEqual({ err: null, address: "93.184.216.34" });
  });
});
