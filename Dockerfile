# syntax=docker/dockerfile:1
# rollouts-notifier container image.
#   docker build -t rollouts-notifier:0.1.0 .
# The Node version is the one package.json pins for development (devDependency "node"), so the image runs
# exactly what the tests ran.
ARG NODE_VERSION=24.21.0

# --- build: all dependencies, compile TypeScript to dist/ --------------------------------------------------
FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# `npm install` with the lock, not `npm ci`: the lock is written on a machine whose registry mirror serves only
# linux-x64 builds of optional platform packages (biome, msgpackr-extract), so it lacks the other platforms'
# entries and `npm ci` refuses it. Every version in the lock is still used as locked.
RUN npm install --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/build.ts ./scripts/build.ts
COPY src ./src
# tsc, then the Lua scripts (src/**/*.lua) the compiled code reads next to itself
RUN npm run build

# --- deps: production dependencies only ---------------------------------------------------------------------
FROM node:${NODE_VERSION}-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm install --omit=dev --no-audit --no-fund && npm cache clean --force

# --- runtime ----------------------------------------------------------------------------------------------------
FROM node:${NODE_VERSION}-bookworm-slim AS runtime
# tini is PID 1: it forwards SIGTERM to Node (which then drains deliveries and releases the Lease) and reaps
# zombies, which Node as PID 1 does not do. npm/corepack are not needed at run time.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --gid 10001 notifier \
 && useradd --uid 10001 --gid 10001 --no-create-home --home-dir /tmp --shell /usr/sbin/nologin notifier \
 && rm -rf /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack \
           /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack
WORKDIR /app
ENV NODE_ENV=production \
    HOME=/tmp \
    HTTP_PORT=9090
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
# A fixed non-root uid:gid (the Helm chart's runAsUser/runAsGroup). Nothing is written outside /tmp, so the
# root filesystem can be read-only.
USER 10001:10001
EXPOSE 9090
ENTRYPOINT ["/usr/bin/tini", "--", "node", "/app/bin/rollouts-notifier.js"]
CMD ["run"]
