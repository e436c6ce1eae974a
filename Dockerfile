# syntax=docker/dockerfile:1
# One image for the API (default command), the queue worker and one-off commands:
#   docker run IMAGE                                     -> the API on :8000
#   docker run IMAGE node dist/src/worker.js             -> a queue worker
#   docker run IMAGE npx typeorm -d dist/ormconfig.js migration:run

# Node.js 24, the Active LTS line (see docs/decisions.md for when to move to 26).
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# The project's schematics are a local dev dependency (nest g -c @nest-fullstack/schematics).
COPY schematics ./schematics
# `npm install` (not `npm ci`): the lock file lacks optional binaries of platforms the
# registry does not serve, which makes `npm ci` refuse it; the lock still pins every version.
RUN npm install --no-audit --no-fund
COPY nest-cli.json tsconfig.json tsconfig.build.json ormconfig.ts ./
COPY src ./src
COPY scripts ./scripts
COPY migrations ./migrations
RUN npm run build

# Production dependencies only; the build stage keeps the dev ones (docker-compose.override.yml
# runs it in watch mode). TypeScript and SWC stay after the prune (peers of @nestjs/swagger and
# typeorm, used only to compile), and declarations, source maps and docs are never read at run
# time: they go too, which halves node_modules (npm run test:image measures it; licences stay).
FROM build AS prod-deps
RUN npm prune --omit=dev --no-audit --no-fund \
 && rm -rf node_modules/typescript node_modules/@swc node_modules/@types \
 && find node_modules -type f \( -name '*.map' -o -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' -o \( -name '*.md' ! -iname 'licen[cs]e*' \) \) -delete

FROM node:24-bookworm-slim AS runtime
# V8's heap sized for an API process (figures in bench/README.md, "Memory"): 16 MB semi-spaces
# instead of Node 24's 32, and old-generation garbage collected before it passes 192 MB instead
# of growing towards a quarter of the machine's memory, so a process under load stays well
# within deploy/k8s's 512 Mi limit. An app that keeps more live data raises the second figure.
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8000 \
    NODE_OPTIONS="--max-semi-space-size=16 --max-old-space-size=192"
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
USER node
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8000) + '/health/live').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/src/main.js"]
