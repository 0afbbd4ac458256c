# syntax=docker/dockerfile:1

# Every stage on a supported Node LTS (22 or 24; Node 20 left support in April 2026), and the image
# runs as a non-root user: test/dockerfile.test.ts parses this file and checks both.

# --- build: install everything, compile TypeScript, then drop dev dependencies -----------------
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY db ./db
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

# --- runtime: compiled code, production dependencies, migrations; runs as the unprivileged `node` user
FROM node:22-bookworm-slim
ENV NODE_ENV=production \
    PORT=3000 \
    DATA_DIR=/app/data
WORKDIR /app
# package.json marks the project root (and "type": "module"); db/index.ts finds db/migrations from it.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/db/migrations ./db/migrations
# The sandbox page (used when no Slack token is set) is served from the source folder.
COPY --from=build /app/src/sandbox/public ./src/sandbox/public
# DATA_DIR holds the email outbox (and PGlite when DATABASE_URL is unset); it must be writable.
RUN mkdir -p /app/data && chown node:node /app/data
VOLUME ["/app/data"]
USER node
EXPOSE 3000
CMD ["node", "dist/src/main.js"]
