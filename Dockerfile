# gamma-csm watcher image: the in-cluster process that turns route changes into Pub/Sub route events.
# Build: docker build -t REGION-docker.pkg.dev/PROJECT/REPO/gamma-csm-watcher:TAG .
# Probes (/healthz, /readyz) come from the Kubernetes Deployment in infra/k8s, so there is no HEALTHCHECK.

# Base images: tags by default; pin them by digest for releases (a tag can move, a digest cannot):
#   docker build --build-arg BUILD_IMAGE=node:22-slim@sha256:... \
#     --build-arg RUNTIME_IMAGE=gcr.io/distroless/nodejs22-debian12:nonroot@sha256:... .
# Never `latest` (test/infra/dockerfile.test.ts). The Deployment pins the resulting image by digest.
ARG BUILD_IMAGE=node:22-slim
ARG RUNTIME_IMAGE=gcr.io/distroless/nodejs22-debian12:nonroot

# ---- build stage: full dev install, then bundle the watcher into one file ----
FROM ${BUILD_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN npm run build -- watcher

# ---- runtime stage: the bundle only, no npm install, non-root ----
FROM ${RUNTIME_IMAGE} AS runtime
WORKDIR /app
ENV NODE_ENV=production \
    GAMMA_HEALTH_PORT=8080 \
    GAMMA_LOG_FORMAT=json
COPY --from=build --chown=65532:65532 /src/dist/watcher/ /app/dist/watcher/
# distroless "nonroot" is uid 65532; numeric so Kubernetes runAsNonRoot can verify it.
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["/nodejs/bin/node", "--enable-source-maps", "dist/watcher/index.js"]
