# RiverWatch image: one image, one process role per container (`ingest`, `store`, `analytics`,
# `alerts`, `api`, `hj212`; `start` runs several in one process). See docker-compose.yml.
#
# NOT BUILT HERE: our machines have no Docker engine. test/unit/deploy/ checks that the paths this
# file copies and runs exist and that the CMD is a real `riverwatch` command.
#
# The CLI runs the TypeScript sources through tsx, which is a runtime dependency (package.json
# "dependencies"), so `npm ci --omit=dev` is enough and there is no build step.

FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    RW_DATA_DIR=/var/lib/riverwatch \
    RW_HTTP_HOST=0.0.0.0 \
    RW_HJ212_HOST=0.0.0.0
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json tsconfig.json ./
COPY bin ./bin
COPY domain ./domain
COPY config ./config
COPY platform ./platform
COPY ingest ./ingest
COPY analytics ./analytics
COPY alerts ./alerts
COPY api ./api
COPY simulators ./simulators
# The image's `node` user (uid 1000) runs everything; the data folder is only used by `start`
# without service URLs (local redis-server/influxd, which this image does not contain).
RUN install -d -o node -g node /var/lib/riverwatch
USER node
# API and dashboard, HJ 212 TCP, Prometheus metrics of processes without the api role.
EXPOSE 8080 9212 9464
ENTRYPOINT ["node", "bin/riverwatch.js"]
CMD ["api"]
