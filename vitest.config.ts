import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    pool: "forks",
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Tests start their own redis-server / API servers on free ports; keep parallelism to the machine's 2 cores.
    maxWorkers: 2,
    reporters: ["default"],
  },
});
