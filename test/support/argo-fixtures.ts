// Where the real Argo Rollouts objects, CRDs and install ConfigMap live inside the repository
// (test/fixtures/argo-rollouts; each file's upstream path and licence are in its README).
import { fileURLToPath } from "node:url";

export const ARGO_FIXTURES_DIR = fileURLToPath(new URL("../fixtures/argo-rollouts", import.meta.url));
