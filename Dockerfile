# syntax=docker/dockerfile:1
# OMS image: one image for every role (OMS_ROLE=web|worker|all, WORKERS=N); README "Running in production / scaling".

FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
# TypeScript, the workflow pages (esbuild) and the AdminJS bundles, then only what runs
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:22-bookworm-slim
ENV NODE_ENV=production
# backups of PostgreSQL (issue 13) run pg_dump/pg_restore, whose major version must be at least the server's (compose.yaml:
# PostgreSQL 17): the client from PostgreSQL's own Debian repository
ARG PG_CLIENT_MAJOR=17
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates curl \
 && install -d /usr/share/postgresql-common/pgdg \
 && curl -fsSL -o /usr/share/postgresql-common/pgdg/apt.postgresql.org.asc https://www.postgresql.org/media/keys/ACCC4CF8.asc \
 && echo "deb [signed-by=/usr/share/postgresql-common/pgdg/apt.postgresql.org.asc] https://apt.postgresql.org/pub/repos/apt bookworm-pgdg main" > /etc/apt/sources.list.d/pgdg.list \
 && apt-get update && apt-get install -y --no-install-recommends postgresql-client-${PG_CLIENT_MAJOR} \
 && apt-get purge -y curl && apt-get autoremove -y && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/workflows ./workflows
COPY --from=build /app/templates ./templates
# the admin checks its pre-built bundle against these component sources at start
COPY --from=build /app/src/admin/components ./src/admin/components
# the only folders written at run time: the embedded database (without DATABASE_URL), backups, AdminJS's scratch folder
RUN mkdir -p data/backups adminjs-tmp && chown -R node:node data adminjs-tmp
USER node
EXPOSE 3000
# node is PID 1 and handles SIGTERM itself (graceful stop, SHUTDOWN_TIMEOUT_MS): no shell in between
CMD ["node", "dist/src/main.js"]
