# syntax=docker/dockerfile:1
# Samverkan: a release build on Debian bookworm, run as a non-root user on bookworm-slim.
#   docker build -t samverkan .
#   docker run -p 8080:8080 -e DATABASE_URL=postgres://… -e SAMVERKAN_JWT_SECRET=… samverkan
# or `docker compose up` (docker-compose.yml) for the service with PostgreSQL.

FROM rust:1.95-bookworm AS builder
# No system libraries to install: SQLite, PostgreSQL's libpq and OpenSSL are compiled in from
# source (libsqlite3-sys and pq-sys bundled, openssl-sys vendored) with the image's cc, make and perl.
WORKDIR /src
# Everything the build reads: the sources, the embedded migrations and the texts in docs/
# (include_str!). .dockerignore keeps target/ and .git/ out, so /api-info reports build "unknown".
COPY Cargo.toml Cargo.lock build.rs ./
COPY src ./src
COPY migrations ./migrations
COPY docs ./docs
# The cache mounts keep the registry and the build between image builds; the binary is copied out
# of them because a cache mount is not part of the image.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked --bin samverkan \
    && install -D -m 0755 target/release/samverkan /out/samverkan

FROM debian:bookworm-slim
# ca-certificates for HTTPS webhook targets and for PostgreSQL's sslrootcert=system; the binary
# links no libpq, libssl or libcrypto of the system.
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --user-group --home-dir /var/lib/samverkan --create-home \
        --shell /usr/sbin/nologin samverkan
COPY --from=builder /out/samverkan /usr/local/bin/samverkan
USER samverkan
# The working directory is where a SQLite DATABASE_URL (the default, samverkan.db) would live;
# in a container use PostgreSQL or mount a volume here.
WORKDIR /var/lib/samverkan
# MALLOC_ARENA_MAX: glibc's per-thread arenas nearly doubled peak memory under load
# (bench/README.md: 138 MB against 84 MB with 2 arenas).
# SSL_CERT_*: the compiled-in OpenSSL looks for trusted roots under /usr/local/ssl; point it at
# Debian's (used by PostgreSQL's sslrootcert=system).
ENV SAMVERKAN_BIND=0.0.0.0:8080 \
    RUST_LOG=info,actix_server=warn \
    MALLOC_ARENA_MAX=2 \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
    SSL_CERT_DIR=/etc/ssl/certs
EXPOSE 8080
# The slim image has no curl or wget; bash's /dev/tcp speaks just enough HTTP/1.0 to ask
# /health/ready (200 only when the database answers). bash is part of bookworm-slim.
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
    CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /health/ready HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]
ENTRYPOINT ["samverkan"]
CMD ["serve"]
