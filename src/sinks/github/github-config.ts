// `service.github` keys (notifications-engine GitHubOptions: appID, installationID, privateKey, enterpriseBaseURL,
// insecureSkipVerify; its HTTP transport tuning keys are accepted without effect) and the template's `github:`
// section (upstream's fields).
import { createPrivateKey } from "node:crypto";
import { z } from "zod";
import { httpUrl, jsonText, nonEmpty } from "../common/config-schemas.ts";

/** A number or a numeric string (upstream casts either to int64), kept as its decimal text. */
const ID_MESSAGE = "must be a positive integer (as GitHub shows it)";
const numericId = z
  .union([
    z.number({ message: ID_MESSAGE }).int({ message: ID_MESSAGE }).positive({ message: ID_MESSAGE }),
    z.string().regex(/^\s*[1-9]\d{0,18}\s*$/, { message: ID_MESSAGE }),
  ])
  .transform((v) => String(v).trim());

/** An RSA private key in PEM (PKCS#1 or PKCS#8); the message never repeats the value. */
const rsaPrivateKey = nonEmpty.refine(
  (pem) => {
    try {
      return createPrivateKey(pem).asymmetricKeyType === "rsa";
    } catch {
      return false;
    }
  },
  { message: "must be the GitHub App's RSA private key in PEM (-----BEGIN RSA PRIVATE KEY----- …)" },
);

export const githubConfigSchema = z.object({
  appID: numericId,
  installationID: numericId,
  privateKey: rsaPrivateKey,
  enterpriseBaseURL: httpUrl.optional(),
  insecureSkipVerify: z.boolean().optional(),
});

/** Upstream's HTTP transport keys (httputil.TransportOptions): connection pooling here is the shared agents'. */
export const GITHUB_IGNORED_KEYS = [
  "maxIdleConns",
  "maxIdleConnsPerHost",
  "maxConnsPerHost",
  "idleConnTimeout",
] as const;

const statusSchema = z.object({
  state: z.string().optional(),
  label: z.string().optional(),
  targetURL: z.string().optional(),
});

const deploymentSchema = z.object({
  state: z.string().optional(),
  environment: z.string().optional(),
  environmentURL: z.string().optional(),
  logURL: z.string().optional(),
  requiredContexts: z.array(z.string()).max(100).optional(),
  autoMerge: z.boolean().optional(),
  transientEnvironment: z.boolean().optional(),
  reference: z.string().optional(),
});

const pullRequestCommentSchema = z.object({
  content: z.string().optional(),
  commentTag: z.string().max(200).optional(),
});

const checkRunSchema = z.object({
  name: z.string().optional(),
  details_url: z.string().optional(),
  status: z.string().optional(),
  conclusion: z.string().optional(),
  started_at: z.string().optional(),
  completed_at: z.string().optional(),
  output: z
    .object({ title: z.string().optional(), summary: z.string().optional(), text: z.string().optional() })
    .optional(),
});

const repositoryDispatchSchema = z.object({
  event_type: z.string().optional(),
  client_payload: jsonText.optional(),
});

export const githubTemplateSchema = z.object({
  repoURLPath: z.string().optional(),
  revisionPath: z.string().optional(),
  status: statusSchema.optional(),
  deployment: deploymentSchema.optional(),
  pullRequestComment: pullRequestCommentSchema.optional(),
  checkRun: checkRunSchema.optional(),
  repositoryDispatch: repositoryDispatchSchema.optional(),
});
