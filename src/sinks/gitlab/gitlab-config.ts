// `service.gitlab` keys (as notifications-engine's unmerged GitLab pull request names them: baseURL, token; and
// insecureSkipVerify) and the template's `gitlab:` section (repoURLPath, revisionPath, status, mergeRequestComment;
// the pull request's deployment and stopEnvironment are not built: unknown-key warnings).
import { z } from "zod";
import { httpUrl, nonEmpty } from "../common/config-schemas.ts";

export const gitlabConfigSchema = z.object({
  baseURL: httpUrl.optional(),
  token: nonEmpty,
  insecureSkipVerify: z.boolean().optional(),
});

export const gitlabTemplateSchema = z.object({
  repoURLPath: z.string().optional(),
  revisionPath: z.string().optional(),
  status: z
    .object({ state: z.string().optional(), label: z.string().optional(), targetURL: z.string().optional() })
    .optional(),
  mergeRequestComment: z.object({ content: z.string().optional() }).optional(),
});
