# Builds the SPA and the server, then runs the server (which serves the SPA) on a slim image.
FROM rust:1.95-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends nodejs npm && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN scripts/setup && scripts/build-spa && cargo build --release -p sportello-api --bin sportello

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates curl libssl3 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /src/target/release/sportello /usr/local/bin/sportello
COPY --from=build /src/dist /app/dist
ENV SPORTELLO_STATIC_DIR=/app/dist SPORTELLO_LOG_FORMAT=json
EXPOSE 8080
CMD ["sportello", "serve"]
