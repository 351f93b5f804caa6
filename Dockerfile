# syntax=docker/dockerfile:1
#
# Production image for schule. Build and run it through docker-compose.yml
# (see docs/deploy-neo4j.md); on its own it needs SCHULE_STORE / NEO4J_* from the environment.

# --- build: install the package and its dependencies into a virtualenv ----------------------
FROM python:3.11-slim AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH

WORKDIR /src
# The locked dependencies first (exact versions, checked against their hashes), in their own layer.
COPY requirements/main.lock requirements/main.lock
RUN pip install --require-hashes -r requirements/main.lock
# The whole context (filtered by .dockerignore): pyproject.toml names README.md as the readme,
# so copying only pyproject.toml + schule/ would break the build.
COPY . .
RUN pip install --no-deps .

# --- runtime: the virtualenv, the seed data, a non-root user ---------------------------------
FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PATH=/opt/venv/bin:$PATH \
    SCHULE_DATA_DIR=/data \
    SCHULE_SEED_DIR=/app/seed

# A fixed numeric uid/gid, so that volume ownership stays stable across rebuilds and
# orchestrators that insist on runAsNonRoot can check it.
RUN groupadd --system --gid 10001 schule \
    && useradd --system --uid 10001 --gid schule --home-dir /app --no-create-home --shell /usr/sbin/nologin schule \
    && mkdir -p /app /data \
    && chown schule:schule /data

COPY --from=build /opt/venv /opt/venv
# Settings.seed_dir defaults to <package>/../seed, which is site-packages/ once installed with
# `pip install .`; SCHULE_SEED_DIR above points `schule serve` (empty store) and `schule seed` here.
COPY seed/ /app/seed/

WORKDIR /app
USER 10001:10001

# /data holds the search index (derived from the graph; `schule reindex` rebuilds it). The
# directory is created and chowned above, so a fresh named volume inherits that ownership.
VOLUME ["/data"]
EXPOSE 8000

# python:3.11-slim has no curl or wget; the standard library is enough.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"]

CMD ["schule", "serve", "--host", "0.0.0.0", "--port", "8000"]
