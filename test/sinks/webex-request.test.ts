// Webex recipients as notifications-engine reads them: an email address is a person, anything else a room id.
import { describe, expect, it } from "vitest";
import { DeliveryError } from "../../src/sinks/sink.ts";
import { buildWebexBody } from "../../src/sinks/webex/webex-request.ts";
import type { Notification } from "../../src/templates/notification.ts";

const note = (message: string) => ({ message }) as Notification;

describe("webex request", () => {
  it("sends to a person by email address and to a room by id, the message as markdown", () => {
    expect(buildWebexBody("ops@example.com", note("**hi**"), "w")).toEqual({
      toPersonEmail: "ops@example.com",
      markdown: "**hi**",
    });
    expect(buildWebexBody("Y2lzY29zcGFyazovL3Vz", note("hi"), "w")).toEqual({
      roomId: "Y2lzY29zcGFyazovL3Vz",
      markdown: "hi",
    });
  });

  it("refuses a message over 7439 bytes and an empty one, permanently", () => {
    for (const m of ["é".repeat(3720), "  "]) {
      let err: unknown;
      try {
        buildWebexBody("room", note(m), "w");
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(DeliveryError);
      expect((err as DeliveryError).transient).toBe(false);
    }
  });
});
