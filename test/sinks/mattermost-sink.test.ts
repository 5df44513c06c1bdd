// Mattermost sink against the stand-in API v4 (test/support/fake-mattermost.ts): one thread per group with the root
// from `threadRoot` updated in place (its other properties kept), Post/Update policies, exactly once across a
// timeout after Mattermost took the post (found again by its job id, or deduplicated by pending_post_id when the
// journal is gone), a root that is gone, and errors that name Mattermost's reason but never the token.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createLogger } from "../../src/logger.ts";
import type { ThreadPosterState } from "../../src/sinks/common/thread-poster.ts";
import { InMemoryThreadState } from "../../src/sinks/common/thread-state.ts";
import { HttpDispatchers } from "../../src/sinks/http/http-dispatchers.ts";
import { MattermostSink } from "../../src/sinks/mattermost/mattermost-sink.ts";
import type { MattermostPost, MattermostServiceConfig } from "../../src/sinks/mattermost/mattermost-types.ts";
import type { Delivery } from "../../src/sinks/sink.ts";
import { FakeMattermost, mattermostId } from "../support/fake-mattermost.ts";
import { deliveryFailure as failure } from "./delivery-failure.ts";

const TOKEN = "mm-sink-test-token-abcdef0123456789";
const TIMEOUT_MS = 300;
const LATER_MS = 60_000;
const CHANNEL = mattermostId();
const logger = createLogger({ level: "silent" });

let mm: FakeMattermost;
let dispatchers: HttpDispatchers;
let service: MattermostServiceConfig;
let state: ThreadPosterState;
let seq = 0;

beforeAll(async () => {
  mm = await FakeMattermost.start({ token: TOKEN, channels: [CHANNEL] });
  dispatchers = new HttpDispatchers();
  service = { type: "mattermost", name: "mattermost", apiURL: mm.url, token: TOKEN };
});
afterAll(async () => {
  await mm?.close();
  await dispatchers?.close();
});
beforeEach(() => {
  mm.reset();
  mm.dedupPendingPostIds = true;
  state = new InMemoryThreadState();
});

const sink = (opts: { now?: () => number; s?: ThreadPosterState } = {}) =>
  new MattermostSink({
    state: opts.s ?? state,
    dispatchers,
    logger,
    timeoutMs: TIMEOUT_MS,
    ...(opts.now ? { now: opts.now } : {}),
  });
/** A worker started after every deadline of the previous attempts passed. */
const laterSink = () => sink({ now: () => Date.now() + LATER_MS });

const attachment = (title: string) => [{ color: "#439FE0", title, fields: [{ title: "x", value: "y" }] }];

function event(
  message: string,
  rootState: string | undefined,
  over: Partial<MattermostPost> = {},
  jobId = `job-${++seq}`,
): Delivery<MattermostServiceConfig> {
  const post: MattermostPost = {
    message,
    attachments: attachment(message),
    groupingKey: "shop/checkout/2",
    deliveryPolicy: "PostAndUpdate",
    ...over,
  };
  if (rootState)
    post.threadRoot = { message: `revision 2: ${rootState}`, attachments: attachment(rootState) };
  return {
    jobId,
    destination: { service: "mattermost", recipient: CHANNEL },
    service,
    notification: { message, mattermost: post },
  };
}

describe("mattermost sink: threads", () => {
  it("posts the root from threadRoot, replies under it, and patches it in place keeping its other properties", async () => {
    await sink().deliver(event("updated", "Progressing"));
    await sink().deliver(event("paused", "Paused"));
    const [root, ...replies] = mm.posts;
    expect(root!.root_id).toBe("");
    expect(root!.props.rollouts_notifier_job_id).toMatch(/\/thread-root$/);
    expect(replies.map((r) => [r.message, r.root_id])).toEqual([
      ["updated", root!.id],
      ["paused", root!.id],
    ]);
    expect(root!.edits.map((e) => e.message)).toEqual(["revision 2: Paused"]);
    expect(root!.props).toEqual({
      attachments: attachment("Paused"),
      rollouts_notifier_job_id: root!.props.rollouts_notifier_job_id,
    });
    // each create carried its job id and a pending_post_id; the patch went to the root
    expect(mm.calls.filter((c) => c.startsWith("PUT"))).toEqual([`PUT /api/v4/posts/${root!.id}/patch`]);
  });

  it("Post only replies; Update only patches the root; no groupingKey posts top-level", async () => {
    await sink().deliver(event("updated", "Progressing"));
    await sink().deliver(event("step", "Step 1", { deliveryPolicy: "Post" }));
    await sink().deliver(event("state only", "Step 2", { deliveryPolicy: "Update" }));
    await sink().deliver(event("loose", undefined, { groupingKey: undefined }));
    const root = mm.roots(CHANNEL)[0]!;
    expect(mm.posts.map((p) => p.message)).toEqual(["revision 2: Step 2", "updated", "step", "loose"]);
    expect(mm.posts[3]!.root_id).toBe("");
    expect(root.edits.map((e) => e.message)).toEqual(["revision 2: Step 2"]);
  });

  it("without threadRoot the first post of the group is the root", async () => {
    await sink().deliver(event("first", undefined));
    await sink().deliver(event("second", undefined));
    const [first, second] = mm.posts;
    expect(first!.root_id).toBe("");
    expect(second!.root_id).toBe(first!.id);
    expect(first!.edits.map((e) => e.message)).toEqual(["second"]);
  });

  it("a reply under a deleted root is retried as a new thread", async () => {
    await sink().deliver(event("updated", "Progressing"));
    const oldRoot = mm.roots(CHANNEL)[0]!;
    mm.deletePost(oldRoot.id);
    const d = event("paused", "Paused");
    // Mattermost refuses the reply (400 Invalid RootId): nothing posted, the root forgotten, retried
    const err = await failure(sink().deliver(d));
    expect(err.transient).toBe(true);
    expect(err.code).toBe("thread_root_gone");
    expect(String((err.cause as Error).message)).toMatch(
      /HTTP 400: Invalid RootId parameter\. \(api\.post\.create_post\.root_id\.app_error\)/,
    );
    await sink().deliver(d);
    const [root] = mm.roots(CHANNEL);
    expect(root!.message).toBe("revision 2: Paused");
    expect(mm.posts.filter((p) => p.root_id === root!.id).map((p) => p.message)).toEqual(["paused"]);
  });

  it("an Update of a deleted root fails for good (404) and the group starts a new thread", async () => {
    await sink().deliver(event("updated", "Progressing"));
    mm.deletePost(mm.roots(CHANNEL)[0]!.id);
    const err = await failure(sink().deliver(event("state", "Paused", { deliveryPolicy: "Update" })));
    expect(err).toMatchObject({ transient: false, code: "http_404" });
    expect(mm.posts.map((p) => p.message)).toEqual(["updated"]);
    await sink().deliver(event("resumed", "Progressing"));
    const [root] = mm.roots(CHANNEL);
    expect(root!.message).toBe("revision 2: Progressing");
    expect(mm.posts.filter((p) => p.root_id === root!.id).map((p) => p.message)).toEqual(["resumed"]);
  });
});

describe("mattermost sink: exactly once", () => {
  it("a timeout after Mattermost took the post: the retry finds it by its job id and does not post again", async () => {
    mm.dedupPendingPostIds = false; // only the lookup can prevent the duplicate
    mm.fail({ delayMs: TIMEOUT_MS * 3 });
    const d = event("loose", undefined, { groupingKey: undefined });
    const err = await failure(sink().deliver(d));
    expect(err.transient).toBe(true);
    await new Promise((r) => setTimeout(r, TIMEOUT_MS * 3));
    const receipt = await laterSink().deliver(d);
    expect(mm.posts.map((p) => p.message)).toEqual(["loose"]);
    expect(receipt.ref).toBe(mm.posts[0]!.id);
    expect(mm.calls.filter((c) => c.startsWith("GET"))).toEqual([`GET /api/v4/channels/${CHANNEL}/posts`]);
  });

  it("a timeout on a new thread's root: the retry finds the root, then posts the reply once", async () => {
    mm.dedupPendingPostIds = false;
    mm.fail({ delayMs: TIMEOUT_MS * 3 });
    const d = event("updated", "Progressing");
    await failure(sink().deliver(d));
    await new Promise((r) => setTimeout(r, TIMEOUT_MS * 3));
    await laterSink().deliver(d);
    const roots = mm.roots(CHANNEL);
    expect(roots).toHaveLength(1);
    expect(mm.posts.filter((p) => p.root_id === roots[0]!.id).map((p) => p.message)).toEqual(["updated"]);
  });

  it("a retry still within the first attempt's deadline waits (in_flight) instead of posting", async () => {
    const d = event("loose", undefined, { groupingKey: undefined });
    await state.putPost(service.name, d.jobId, {
      state: "posting",
      startedAt: Date.now(),
      deadline: Date.now() + 10_000,
      post: true,
    });
    const err = await failure(sink().deliver(d));
    expect(err.code).toBe("in_flight");
    expect(err.retryAfterMs).toBeGreaterThan(0);
    expect(mm.received).toEqual([]);
  });

  it("with the journal gone, Mattermost's pending_post_id deduplication answers the first post", async () => {
    const d = event("loose", undefined, { groupingKey: undefined });
    const first = await sink().deliver(d);
    const again = await sink({ s: new InMemoryThreadState() }).deliver(d);
    expect(again.ref).toBe(first.ref);
    expect(mm.posts).toHaveLength(1);
    const pending = mm.received.map((b) => (JSON.parse(b) as { pending_post_id?: string }).pending_post_id);
    expect(pending).toHaveLength(2);
    expect(pending[0]).toMatch(/^[0-9a-f]{26}$/);
    expect(pending[1]).toBe(pending[0]);
  });

  it("a definite rejection clears the journal: the retry posts afresh", async () => {
    mm.fail({ status: 503 });
    const d = event("loose", undefined, { groupingKey: undefined });
    expect((await failure(sink().deliver(d))).transient).toBe(true);
    mm.fail({ status: 429, retryAfterSec: 3 });
    const limited = await failure(laterSink().deliver(d));
    expect(limited.retryAfterMs).toBe(3000);
    expect(await state.getPost(service.name, d.jobId)).toBeUndefined();
    await sink().deliver(d);
    expect(mm.posts.map((p) => p.message)).toEqual(["loose"]);
  });
});

describe("mattermost sink: errors", () => {
  it("a wrong token is permanent and names Mattermost's reason, never the token", async () => {
    const wrong = "mm-wrong-token-9876543210";
    const err = await failure(
      sink().deliver({ ...event("x", undefined), service: { ...service, token: wrong } }),
    );
    expect(err.transient).toBe(false);
    expect(err.message).toMatch(/HTTP 401: Invalid or expired session/);
    expect(err.message).not.toContain(wrong);
    expect(mm.posts).toEqual([]);
  });

  it("a channel the bot cannot post to is 403, permanent; a bad recipient or an oversized message sends nothing", async () => {
    const other = mattermostId();
    const d = event("x", undefined, { groupingKey: undefined });
    const forbidden = await failure(
      sink().deliver({ ...d, destination: { ...d.destination, recipient: other } }),
    );
    expect(forbidden.transient).toBe(false);
    expect(forbidden.message).toMatch(/HTTP 403/);
    const before = mm.received.length;
    const named = await failure(
      sink().deliver({ ...d, jobId: "j-name", destination: { ...d.destination, recipient: "#town-square" } }),
    );
    expect(named.code).toBe("invalid_recipient");
    const big = await failure(
      sink().deliver({
        ...d,
        jobId: "j-big",
        notification: { message: "x".repeat(16384), mattermost: { message: "x".repeat(16384) } },
      }),
    );
    expect(big.code).toBe("message_too_large");
    expect(mm.received.length).toBe(before);
  });
});
