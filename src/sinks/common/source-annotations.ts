// Where the built-in templates of the types that act on a commit (github, gitlab) find the repository and the commit
// a Rollout revision was built from: the OCI annotations `org.opencontainers.image.source` and
// `org.opencontainers.image.revision` on the pod template (per revision), else on the Rollout. (Upstream's defaults
// read Argo CD's Application, which a Rollout does not have.)

export const SOURCE_ANNOTATION = "org.opencontainers.image.source";
export const REVISION_SOURCE_ANNOTATION = "org.opencontainers.image.revision";

const annotation = (key: string) =>
  `{{default (lookup rollout.spec.template.metadata.annotations '${key}') (lookup rollout.metadata.annotations '${key}')}}`;

/** Template of the repository URL. */
export const BUILTIN_REPO_URL_PATH = annotation(SOURCE_ANNOTATION);
/** Template of the commit SHA. */
export const BUILTIN_REVISION_PATH = annotation(REVISION_SOURCE_ANNOTATION);
