import { describe, expect, it } from "vitest";
import {
  notificationJobId,
  notificationOrderingKey,
  validateNotificationJob,
} from "../../src/queue/notification-job.ts";
import { makeJob } from "./queue-test-kit.ts";

describe("job ids", () => {
  it("are deterministic, readable and free of ':'", () => {
    const id = notificationJobId("uid-1:on-rollout-aborted:3", { service: "slack", recipient: "team:ops/x" });
    expect(id).toBe("uid-1%3Aon-rollout-aborted%3A3/slack/team%3Aops%2Fx");
    expect(
      notificationJobId("uid-1:on-rollout-aborted:3", { service: "slack", recipient: "team:ops/x" }),
    ).toBe(id);
    // UTF-8 bytes, the same however often a character was encoded before
    for (let i = 0; i < 2; i++) {
      expect(notificationJobId("t", { service: "slack", recipient: "#équipe ü/ü" })).toBe(
        "t/slack/%23%C3%A9quipe%20%C3%BC%2F%C3%BC",
      );
    }
    expect(notificationJobId("t", { service: "a/b", recipient: "" })).not.toBe(
      notificationJobId("t/a", { service: "b", recipient: "" }),
    );
  });

  it("stay bounded and distinct when long", () => {
    const long = "x".repeat(500);
    const a = notificationJobId(`${long}1`, { service: "hook", recipient: "" });
    const b = notificationJobId(`${long}2`, { service: "hook", recipient: "" });
    expect(a.length).toBeLessThanOrEqual(200);
    expect(a).not.toBe(b);
  });

  it("order by rollout uid + destination (the object's uid without a rollout)", () => {
    const ref = { kind: "AnalysisRun", namespace: "ns", name: "ar", uid: "ar-uid" };
    expect(notificationOrderingKey({ object: ref }, { service: "slack", recipient: "c" })).toBe(
      "ar-uid/slack/c",
    );
    expect(
      notificationOrderingKey(
        { object: ref, rollout: { ...ref, kind: "Rollout", uid: "ro-uid" } },
        { service: "slack", recipient: "c" },
      ),
    ).toBe("ro-uid/slack/c");
  });

  it("validation names the job and the field", () => {
    expect(() => validateNotificationJob({ ...makeJob({}), jobId: "123" })).toThrow(
      /"123": jobId must not be an integer/,
    );
    const noTime = makeJob({});
    noTime.transition.detectedAt = Number.NaN;
    expect(() => validateNotificationJob(noTime)).toThrow(/transition.detectedAt/);
  });
});
