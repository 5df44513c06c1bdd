// The GitLab sink against the stand-in API (test/support/fake-gitlab.ts, with GitLab's commit status state machine):
// a repeated running status is the job already running (counted as sent), an impossible transition is permanent,
// notes go to every merge request of the commit, 409 is transient, a bad token permanent; projects from URLs keep
// their nested groups.
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { createLogger } from "../../src/logger.ts";
import { projectOfUrl } from "../../src/sinks/gitlab/gitlab-request.ts";
import { GitLabSink } from "../../src/sinks/gitlab/gitlab-sink.ts";
import type { GitLabPart, GitLabServiceConfig } from "../../src/sinks/gitlab/gitlab-types.ts";
import { HttpDispatchers } from "../../src/sinks/http/http-dispatchers.ts";
import { FakeGitLab } from "../support/fake-gitlab.ts";
import { deliveryFailure as failure } from "./delivery-failure.ts";

const TOKEN = "glpat-test-0123456789";
const SHA = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678";
let gl: FakeGitLab;
let dispatchers: HttpDispatchers;
let service: GitLabServiceConfig;
beforeAll(async () => {
  gl = await FakeGitLab.start({
    token: TOKEN,
    projects: { "acme/web/shop": { id: 17, commits: { [SHA]: ["main"] }, mergeRequests: { [SHA]: [3, 5] } } },
  });
  dispatchers = new HttpDispatchers();
  service = { type: "gitlab", name: "gitlab", token: TOKEN, baseURL: gl.apiURL };
});
afterAll(async () => {
  await gl?.close();
  await dispatchers?.close();
});
beforeEach(() => gl.reset());

const sink = () => new GitLabSink({ dispatchers, logger: createLogger({ level: "silent" }) });
const part = (over: Partial<GitLabPart>): GitLabPart => ({
  repoURL: "https://gitlab.com/acme/web/shop.git",
  revision: SHA,
  ...over,
});
const deliver = (p: GitLabPart, over: Partial<GitLabServiceConfig> = {}, recipient = "") =>
  sink().deliver({
    jobId: "j",
    destination: { service: "gitlab", recipient },
    service: { ...service, ...over },
    notification: { message: "Rollout prod/web progressing", gitlab: p },
  });
const status = (state: string) => part({ status: { state, label: "argo-rollouts/prod/web", targetURL: "" } });

it("running twice: the second is the job already running, counted as sent; then success", async () => {
  await deliver(status("running"));
  await deliver(status("running"));
  await deliver(status("success"));
  expect(gl.statuses.map((s) => s.state)).toEqual(["running", "success"]);
  expect(gl.refusedTransitions).toHaveLength(1);
  expect(gl.statuses[0]!.body).toEqual({
    state: "running",
    name: "argo-rollouts/prod/web",
    description: "Rollout prod/web progressing",
  });
});

it("an impossible transition (pending while running) is permanent, with GitLab's message", async () => {
  await deliver(status("running"));
  const err = await failure(deliver(status("pending")));
  expect(err.transient).toBe(false);
  expect(err.message).toMatch(/HTTP 400: Cannot transition status via :enqueue from :running/);
});

it("a state outside GitLab's list is refused before sending", async () => {
  const err = await failure(deliver(status("error")));
  expect(err.code).toBe("invalid_message");
  expect(gl.received).toHaveLength(0);
});

it("a note goes to every merge request of the commit", async () => {
  await deliver(part({ mergeRequestComment: { content: "web is at revision 3" } }), {}, "17");
  expect(gl.notes.map((n) => [n.iid, n.body])).toEqual([
    [3, "web is at revision 3"],
    [5, "web is at revision 3"],
  ]);
});

it("409 (another update in progress) is transient; a bad token is permanent and not shown", async () => {
  gl.fail({ status: 409, message: "Another update to this commit status is in progress" });
  expect(await failure(deliver(status("success")))).toMatchObject({ transient: true, code: "conflict" });
  const err = await failure(deliver(status("success"), { token: "glpat-wrong-123456" }));
  expect(err).toMatchObject({ transient: false, code: "http_401" });
  expect(err.message).not.toContain("glpat-wrong-123456");
});

it("an unknown commit is a permanent 404", async () => {
  const err = await failure(deliver(part({ revision: "deadbeef", status: status("success").status! })));
  expect(err.message).toMatch(/HTTP 404: 404 Commit Not Found/);
});

it("projects keep their nested groups", () => {
  expect(projectOfUrl("https://gitlab.com/acme/web/shop.git")).toBe("acme/web/shop");
  expect(projectOfUrl("git@gitlab.example.com:acme/shop.git")).toBe("acme/shop");
  expect(projectOfUrl("https://gitlab.com/acme")).toBeUndefined();
  expect(projectOfUrl("https://gitlab.com/acme/web/shop/-/tree/main")).toBe("acme/web/shop");
  expect(projectOfUrl("https://gitlab.com/acme/-/shop")).toBeUndefined();
});
