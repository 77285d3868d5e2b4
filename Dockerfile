# The console (console/, React + Vite) is built in its own stage: the image needs only its
# output, console/dist, not Vite or the other dev dependencies.
FROM node:20-bookworm-slim AS console
WORKDIR /app
COPY package.json package-lock.json ./
COPY console/package.json console/
RUN npm ci --workspace console --include-workspace-root=false --ignore-scripts --no-audit --no-fund
COPY console console
COPY scripts/build-console.mjs scripts/
RUN node scripts/build-console.mjs

FROM node:20-bookworm-slim
WORKDIR /app
# Build tools for the sqlite3 native module when no prebuilt binary fits; git for `contracts check`.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ git && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
COPY console/package.json console/
# `prepare` runs scripts/build-console.mjs, which finds no console sources here and builds nothing.
COPY scripts/build-console.mjs scripts/
RUN npm ci --omit=dev && npm cache clean --force
# The code belongs to root and is read-only for the server; only /data is the server's.
COPY . .
COPY --from=console /app/console/dist console/dist
# The sources bundled once here (the CLI and the worker threads' modules), while the tree
# is still writable: the server, which may not write under /app, finds them fresh.
RUN node scripts/prebuild-bundles.mjs && node bin/tidemark.js --version
RUN mkdir -p /data && chown node:node /data
ENV NODE_ENV=production HOST=0.0.0.0 PORT=4000 TIDEMARK_DATA_DIR=/data TIDEMARK_CONTRACTS_DIR=/app/contracts
# Contracts can be mounted over /app/contracts (read-only is enough): no rebuild to change them.
VOLUME ["/data"]
USER node
EXPOSE 4000
CMD ["node", "bin/tidemark.js", "serve"]
