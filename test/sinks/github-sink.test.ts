// The GitHub sink against the stand-in API (test/support/fake-github.ts): App authentication (JWT checked with the
// public key, installation token cached and replaced when refused), deployments found again by ref and environment,
// tagged pull request comments updated in place, GitHub's validation and rate-limit answers; and the built-in
// template reading the repository and commit off the Rollout's pod template.
import { generateKeyPairSync } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadNotifierConfig } from "../../src/config/load-config.ts";
import type { TemplateSpec } from "../../src/config/types.ts";
import { createLogger } from "../../src/logger.ts";
import { createServiceSink } from "../../src/sinks/create-sinks.ts";
import { InstallationTokens, MAX_CACHED_TOKENS } from "../../src/sinks/github/github-app-auth.ts";
import { githubErrorFor } from "../../src/sinks/github/github-errors.ts";
import { repositoryOfUrl } from "../../src/sinks/github/github-request.ts";
import { githubService } from "../../src/sinks/github/github-service.ts";
import type { GitHubServiceConfig } from "../../src/sinks/github/github-types.ts";
import { HttpDispatchers } from "../../src/sinks/http/http-dispatchers.ts";
import type { Sink } from "../../src/sinks/sink.ts";
import { compileTemplateSpec } from "../../src/templates/compile.ts";
import { buildTemplateContext } from "../../src/templates/context.ts";
import type { Notification } from "../../src/templates/notification.ts";
import { renderNotification } from "../../src/templates/render.ts";
import { configMap, secret } from "../config/load-examples.ts";
import { FakeGitHub } from "../support/fake-github.ts";
import { deliveryFailure as failure } from "./delivery-failure.ts";

const SHA = "0123456789abcdef0123456789abcdef01234567";
const keys = () => {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return { pem: privateKey.export({ type: "pkcs1", format: "pem" }).toString(), publicKey };
};
const app = keys();

let gh: FakeGitHub;
let dispatchers: HttpDispatchers;
let service: GitHubServiceConfig;
beforeAll(async () => {
  gh = await FakeGitHub.start({
    appId: "42",
    installationId: "99",
    publicKey: app.publicKey,
    repos: { "acme/shop": { commits: [SHA], pulls: { [SHA]: [7] } } },
  });
  dispatchers = new HttpDispatchers();
  service = {
    type: "github",
    name: "github",
    appID: "42",
    installationID: "99",
    privateKey: app.pem,
    enterpriseBaseURL: gh.apiURL,
  };
});
afterAll(async () => {
  await gh?.close();
  await dispatchers?.close();
});
beforeEach(() => gh.reset());

const newSink = (): Sink =>
  createServiceSink(githubService, { dispatchers, logger: createLogger({ level: "silent" }) });

function rollout(podAnnotations: Record<string, string> = {}) {
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Rollout",
    metadata: {
      name: "web",
      namespace: "prod",
      uid: "u1",
      annotations: { "rollout.argoproj.io/revision": "3" },
    },
    spec: {
      strategy: { canary: { steps: [{ setWeight: 50 }] } },
      template: {
        metadata: { annotations: podAnnotations },
        spec: { containers: [{ name: "web", image: "acme/web:1" }] },
      },
    },
    status: { phase: "Healthy", message: 'probe "canary" passed' },
  };
}

function render(
  template: Omit<TemplateSpec, "name"> | undefined,
  trigger = "on-rollout-completed",
  podAnnotations: Record<string, string> = {
    "org.opencontainers.image.source": "https://github.com/acme/shop.git",
    "org.opencontainers.image.revision": SHA,
  },
): Notification {
  const r = rollout(podAnnotations);
  const ref = { kind: "Rollout", namespace: "prod", name: "web", uid: "u1" };
  const ctx = buildTemplateContext({
    transition: { id: `u1:${trigger}:3`, trigger, object: ref, rollout: ref, revision: "3", snapshot: r },
    rollout: r,
    recipient: "",
    serviceType: "github",
    now: new Date("2026-03-01T12:00:00Z"),
  });
  const templates = template ? [compileTemplateSpec({ name: "t", ...template } as TemplateSpec)] : [];
  return renderNotification(templates, ctx, service);
}

const deliver = (
  sink: Sink,
  notification: Notification,
  over: Partial<GitHubServiceConfig> = {},
  recipient = "",
) =>
  sink.deliver({
    jobId: `j-${Math.random()}`,
    destination: { service: "github", recipient },
    service: { ...service, ...over },
    notification,
  });

describe("built-in template", () => {
  it("sets a success status on the commit and repository of the pod template's OCI annotations", async () => {
    const n = render(undefined);
    expect(n.github).toMatchObject({ repoURL: "https://github.com/acme/shop.git", revision: SHA });
    await deliver(newSink(), n);
    expect(gh.statuses).toHaveLength(1);
    expect(gh.statuses[0]).toMatchObject({ repository: "acme/shop", sha: SHA });
    expect(gh.statuses[0]!.body).toEqual({
      state: "success",
      context: "argo-rollouts/prod/web",
      description: "Rollout prod/web revision 3 has been completed.",
    });
  });

  it("an abort is a failure, an analysis error an error, an update pending", () => {
    expect(render(undefined, "on-rollout-aborted").github?.status?.state).toBe("failure");
    expect(render(undefined, "on-analysis-run-error").github?.status?.state).toBe("error");
    expect(render(undefined, "on-rollout-updated").github?.status?.state).toBe("pending");
  });

  it("without the revision annotation nothing is sent and the error says what to set", async () => {
    const n = render(undefined, "on-rollout-completed", {});
    const err = await failure(deliver(newSink(), n, {}, "acme/shop"));
    expect(err.transient).toBe(false);
    expect(err.message).toContain("org.opencontainers.image.revision");
    expect(gh.received).toHaveLength(0);
  });
});

describe("GitHub App authentication", () => {
  it("a JWT signed with another key is refused: permanent, nothing written", async () => {
    const other = keys();
    const err = await failure(deliver(newSink(), render(undefined), { privateKey: other.pem }));
    expect(err.transient).toBe(false);
    expect(err.message).toMatch(/HTTP 401.*A JSON web token could not be decoded/);
    expect(err.message).not.toContain(other.pem.split("\n")[1]);
    expect(gh.statuses).toHaveLength(0);
  });

  it("a wrong App id is refused", async () => {
    const err = await failure(deliver(newSink(), render(undefined), { appID: "43" }));
    expect(err.message).toMatch(/HTTP 401/);
  });

  it("the installation token is reused, and replaced once GitHub refuses it", async () => {
    const sink = newSink();
    const before = gh.tokensIssued;
    await deliver(sink, render(undefined));
    await deliver(sink, render(undefined));
    expect(gh.tokensIssued - before).toBe(1);
    gh.revokeTokens();
    await deliver(sink, render(undefined));
    expect(gh.tokensIssued - before).toBe(2);
    expect(gh.statuses).toHaveLength(3);
  });

  it("keeps the tokens of the most recently fetched credentials only (keys rotated away are forgotten)", async () => {
    const tokens = new InstallationTokens(() => 0);
    let fetched = 0;
    const fetch = async () => ({ token: `t${++fetched}`, expiresAtMs: 3_600_000 });
    const service = { appID: "42", installationID: "7", privateKey: app.pem } as GitHubServiceConfig;
    // a key per version of the Secret: each rotation is a new cache key
    for (let v = 0; v < MAX_CACHED_TOKENS + 100; v++) await tokens.get(`key-v${v}`, service, fetch);
    expect(tokens.size).toBe(MAX_CACHED_TOKENS);
    // the newest is still cached; the oldest is fetched again
    const last = `key-v${MAX_CACHED_TOKENS + 99}`;
    expect(await tokens.get(last, service, fetch)).toBe(`t${MAX_CACHED_TOKENS + 100}`);
    expect(await tokens.get("key-v0", service, fetch)).toBe(`t${MAX_CACHED_TOKENS + 101}`);
    expect(tokens.size).toBe(MAX_CACHED_TOKENS);
  });
});

describe("templates", () => {
  const deployment = {
    message: "Deployed {{rollout.metadata.name}}",
    github: {
      deployment: {
        state: "success",
        environment: "production",
        environmentURL: "https://web.example.com",
        logURL: "https://argo.example.com/rollouts/prod/web",
        requiredContexts: [],
      },
    },
  };

  it("a deployment is created once for (commit, environment), then gets a status per notification", async () => {
    const sink = newSink();
    await deliver(sink, render(deployment));
    await deliver(sink, render(deployment));
    expect(gh.deployments).toHaveLength(1);
    expect(gh.deployments[0]!.body).toEqual({
      ref: SHA,
      environment: "production",
      auto_merge: true,
      transient_environment: false,
      required_contexts: [],
    });
    expect(gh.deploymentStatuses.map((s) => s.body)).toEqual(
      [1, 2].map(() => ({
        state: "success",
        environment: "production",
        environment_url: "https://web.example.com",
        log_url: "https://argo.example.com/rollouts/prod/web",
        description: "Deployed web",
      })),
    );
    // with a deployment only, no commit status (upstream: only the parts the template has)
    expect(gh.statuses).toHaveLength(0);
  });

  it("a tagged pull request comment is updated in place; an untagged one is added", async () => {
    const tagged = {
      github: { pullRequestComment: { content: "web is at revision {{revision}}", commentTag: "web" } },
    };
    const sink = newSink();
    await deliver(sink, render(tagged));
    await deliver(sink, render(tagged, "on-rollout-aborted"));
    expect(gh.comments).toHaveLength(1);
    expect(gh.comments[0]).toMatchObject({
      issue: 7,
      body: "web is at revision 3\n<!-- argocd-notifications web -->",
    });
    await deliver(sink, render({ github: { pullRequestComment: { content: "plain" } } }));
    expect(gh.comments.map((c) => c.body)).toEqual([
      "web is at revision 3\n<!-- argocd-notifications web -->",
      "plain",
    ]);
  });

  it("a status state outside GitHub's list is refused before sending; the stand-in answers 422 as GitHub does", async () => {
    const n = render({ github: { status: { state: "done", label: "x" } } });
    const err = await failure(deliver(newSink(), n));
    expect(err.code).toBe("invalid_message");
    expect(err.message).toContain("error, failure, pending, success");
    expect(gh.received).toHaveLength(0);
    // GitHub's own answer to such a body
    const token = await fetch(`${gh.apiURL}/app/installations/99/access_tokens`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${(await import("../../src/sinks/github/github-app-auth.ts")).githubAppJwt("42", app.pem, Date.now())}`,
      },
    }).then((r) => r.json() as Promise<{ token: string }>);
    const res = await fetch(`${gh.apiURL}/repos/acme/shop/statuses/${SHA}`, {
      method: "POST",
      headers: { authorization: `Bearer ${token.token}`, "content-type": "application/json" },
      body: JSON.stringify({ state: "done" }),
    });
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({
      message: "Validation Failed",
      errors: [{ resource: "Status", field: "state", code: "custom" }],
      documentation_url: expect.stringMatching(/^https:\/\/docs\.github\.com\//),
    });
  });

  it("an unknown commit is a permanent 422 naming it", async () => {
    const n = render(undefined, "on-rollout-completed", { "org.opencontainers.image.revision": "feedface" });
    const err = await failure(deliver(newSink(), n, {}, "acme/shop"));
    expect(err.transient).toBe(false);
    expect(err.message).toMatch(/HTTP 422: No commit found for SHA: feedface/);
  });

  it("a commit and context at GitHub's 1000 statuses counts as sent (upstream ignores that 422)", async () => {
    gh.fail({ status: 422, message: "This SHA and context has reached the maximum number of statuses." });
    await expect(deliver(newSink(), render(undefined))).resolves.toEqual({});
  });
});

describe("check runs and repository dispatches", () => {
  it("a check run on the commit, completed by its conclusion (upstream), with its output", async () => {
    const n = render({
      github: {
        checkRun: {
          name: "continuous-delivery/{{rollout.metadata.name}}",
          details_url: "https://argo.example.com/rollouts/web",
          conclusion: "success",
          started_at: "2026-03-01T11:00:00Z",
          completed_at: "2026-03-01T12:00:00+00:00",
          output: { title: "web deployed", summary: "revision {{revision}}", text: "all steps done" },
        },
      },
    });
    await deliver(newSink(), n);
    expect(gh.checkRuns.map((c) => c.body)).toEqual([
      {
        name: "continuous-delivery/web",
        head_sha: SHA,
        external_id: "argocd-notifications",
        details_url: "https://argo.example.com/rollouts/web",
        status: "completed",
        conclusion: "success",
        started_at: "2026-03-01T11:00:00Z",
        completed_at: "2026-03-01T12:00:00Z",
        output: { title: "web deployed", summary: "revision 3", text: "all steps done" },
      },
    ]);
  });

  it("a completed run without a conclusion, or a time that is not RFC 3339, is refused before sending", async () => {
    const completed = render({ github: { checkRun: { name: "cd", status: "completed" } } });
    expect((await failure(deliver(newSink(), completed))).message).toContain("conclusion is required");
    const badTime = render({
      github: { checkRun: { name: "cd", status: "in_progress", started_at: "yesterday" } },
    });
    expect((await failure(deliver(newSink(), badTime))).message).toContain("not an RFC 3339 time");
    expect(gh.received).toHaveLength(0);
  });

  it("a repository dispatch with its JSON payload, values JSON-escaped", async () => {
    const n = render(
      {
        github: {
          repositoryDispatch: {
            event_type: "rollout-{{trigger}}",
            client_payload: '{"rollout": "{{rollout.metadata.name}}", "message": "{{statusMessage}}"}',
          },
        },
      },
      "on-rollout-aborted",
    );
    await deliver(newSink(), n);
    expect(gh.dispatches.map((d) => d.body)).toEqual([
      {
        event_type: "rollout-on-rollout-aborted",
        client_payload: { rollout: "web", message: 'probe "canary" passed' },
      },
    ]);
    const notObject = render({ github: { repositoryDispatch: { event_type: "x", client_payload: "[1]" } } });
    expect((await failure(deliver(newSink(), notObject))).message).toContain("must be a JSON object");
  });
});

describe("failure classes", () => {
  const answer = (statusCode: number, headers: Record<string, string>, message: string) => ({
    statusCode,
    headers,
    text: JSON.stringify({ message, documentation_url: "https://docs.github.com/rest" }),
  });
  const now = Date.parse("2026-03-01T12:00:00Z");

  it("a primary rate limit (403, x-ratelimit-remaining 0) waits for x-ratelimit-reset", () => {
    const err = githubErrorFor(
      "github",
      answer(
        403,
        { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(now / 1000 + 30) },
        "API rate limit exceeded",
      ),
      [],
      now,
    );
    expect(err).toMatchObject({ transient: true, retryAfterMs: 30_000, code: "rate_limited" });
  });

  it("a secondary rate limit honours Retry-After; another 403 is permanent", () => {
    const secondary = githubErrorFor(
      "github",
      answer(403, { "retry-after": "60" }, "You have exceeded a secondary rate limit."),
      [],
      now,
    );
    expect(secondary).toMatchObject({ transient: true, retryAfterMs: 60_000 });
    const forbidden = githubErrorFor(
      "github",
      answer(403, {}, "Resource not accessible by integration"),
      [],
      now,
    );
    expect(forbidden).toMatchObject({ transient: false, code: "http_403" });
    expect(forbidden.message).toContain("Resource not accessible by integration");
  });

  it("tokens are scrubbed from the detail", () => {
    const err = githubErrorFor(
      "github",
      answer(400, {}, "token ghs_secret123456 is odd"),
      ["ghs_secret123456"],
      now,
    );
    expect(err.message).not.toContain("ghs_secret123456");
  });
});

it("repository URLs as upstream reads them", () => {
  const acme = { owner: "acme", repo: "shop" };
  expect(repositoryOfUrl("https://github.com/acme/shop")).toEqual(acme);
  expect(repositoryOfUrl("https://github.com/acme/shop.git")).toEqual(acme);
  expect(repositoryOfUrl("git@github.com:acme/shop.git")).toEqual(acme);
  expect(repositoryOfUrl("ssh://git@git.example.com/acme/shop/tree/main")).toEqual(acme);
  expect(repositoryOfUrl("acme/shop")).toEqual(acme);
  expect(repositoryOfUrl("https://github.com/acme")).toBeUndefined();
  expect(repositoryOfUrl("")).toBeUndefined();
  expect(repositoryOfUrl(`https://github.com/acme/${"x".repeat(3000)}`)).toBeUndefined();
});

describe("config", () => {
  it("loads upstream's keys, the key from the Secret; a template without a github part is said at load", () => {
    const { config, errors, warnings } = loadNotifierConfig(
      configMap({
        "service.github":
          "appID: 42\ninstallationID: '99'\nprivateKey: $github-privateKey\nmaxIdleConns: 10\n",
        "template.done": "message: done",
        "trigger.on-rollout-completed": "- send: [done]\n  when: rollout.status.phase == 'Healthy'\n",
      }),
      secret({ "github-privateKey": app.pem }),
    );
    expect(errors).toEqual([]);
    expect(config.services.github).toMatchObject({ appID: "42", installationID: "99", privateKey: app.pem });
    expect(warnings.join("\n")).toContain(
      'the templates of on-rollout-completed have no github part: Argo Rollouts\' github service fails to send them ("config is empty")',
    );
    expect(warnings.join("\n")).toMatch(/maxIdleConns.*accepted for compatibility and ignored/);
  });
});
