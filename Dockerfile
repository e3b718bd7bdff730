# RiverWatch image: one image, one process role per container (`ingest`, `store`, `analytics`,
# `alerts`, `api`, `hj212`; `start` runs several in one process). See docker-compose.yml.
#
# NOT BUILT HERE: our machines have no Docker engine. test/unit/deploy/ checks that the paths this
# file copies and runs exist and that the CMD is a real `riverwatch` command;
# test/integration/build/ builds dist/ the same way and starts it.
#
# Stage `build` compiles the TypeScript to dist/ (`npm run build`: tsc plus the dashboard, public
# page and scenarios beside the code). The runtime stage has only production dependencies and
# dist/: no TypeScript, no tsx.

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/build.mjs ./scripts/build.mjs
COPY bin ./bin
COPY domain ./domain
COPY config ./config
COPY platform ./platform
COPY ingest ./ingest
COPY analytics ./analytics
COPY alerts ./alerts
COPY api ./api
COPY simulators ./simulators
RUN npm run build

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    RW_DATA_DIR=/var/lib/riverwatch \
    RW_HTTP_HOST=0.0.0.0 \
    RW_HJ212_HOST=0.0.0.0
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# The default registry (RW_REGISTRY_FILE=config/registry.yaml, relative to /app); Compose mounts its own.
COPY config/registry.yaml ./config/registry.yaml
# The image's `node` user (uid 1000) runs everything; the data folder is only used by `start`
# without service URLs (local redis-server/influxd, which this image does not contain).
RUN install -d -o node -g node /var/lib/riverwatch
USER node
# API and dashboard, HJ 212 TCP, Prometheus metrics of processes without the api role.
EXPOSE 8080 9212 9464
ENTRYPOINT ["node", "dist/bin/riverwatch.js"]
CMD ["api"]
