# kms-drift — the daemon image. Node 24 runs the TypeScript sources directly (type stripping): no build output.
FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# Production dependencies only; the final stage copies them, never the dev tools.
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force

FROM node:24-bookworm-slim
ENV NODE_ENV=production \
    KMS_DRIFT_HTTP_LISTEN=0.0.0.0:9464
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json ./
COPY bin ./bin
COPY src ./src
COPY rules ./rules
COPY examples ./examples
# Non-root; the process writes nothing but stdout/stderr, so a read-only root filesystem works.
USER node
EXPOSE 9464
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:9464/healthz').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "bin/kms-drift.js"]
CMD ["run"]
