# wasync's image: one image for every role (`serve`, `serve --role api`, `worker`); see compose.yaml.
FROM node:20-bookworm-slim
WORKDIR /app
# better-sqlite3 builds its native addon when no prebuilt one matches.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY . .
# `npm ci` builds the server and the web app (prepare); the dev tools go afterwards.
RUN npm ci --no-audit --no-fund && npm prune --omit=dev --no-audit --no-fund
ENV NODE_ENV=production \
    WASYNC_HOST=0.0.0.0 \
    WASYNC_DATA_DIR=/data
VOLUME ["/data"]
EXPOSE 3000
ENTRYPOINT ["node", "bin/wasync.js"]
CMD ["serve"]
