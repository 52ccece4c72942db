# loopbot's container: `loopbot run` on waitress, as a non-root user, listening on every
# interface at $PORT (8000), JSON logs on stderr. README.md, "Operating loopbot", says how
# to build and run it, and how to move the base image to a newer digest.
#
#   docker build --build-arg VERSION=0.1.0 --build-arg COMMIT=$(git rev-parse HEAD) \
#     --build-arg BUILD=https://ci.example/job/42 -t loopbot .

# The base image, pinned by digest (the tag alone would move under us).
ARG PYTHON_IMAGE=python:3.11-slim@sha256:9c900dea9e8fb7e16277c179b555cc72d29a352dbc33cff48ad5a0412fd5bfc7

# Stage 1: loopbot's wheel, built with the hash-locked setuptools; the source stays here.
FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY requirements-build.lock ./
RUN pip install --require-hashes --no-deps -r requirements-build.lock
COPY pyproject.toml README.md app.yaml ./
COPY bot ./bot
COPY handlers ./handlers
RUN pip wheel --no-deps --no-build-isolation --no-index -w /dist .

# Stage 2: the image: the locked dependencies, each checked against its hash, then the
# wheel alone (no source tree beside the installed copy).
FROM ${PYTHON_IMAGE}

ARG SOURCE=https://github.com/mozilla-services/loopbot
ARG VERSION=0.1.0
ARG COMMIT=unknown
ARG BUILD=unknown

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PORT=8000 \
    LOG_FORMAT=json \
    LOG_LEVEL=INFO \
    LOOPBOT_CONFIG=/app/app.yaml \
    DATABASE_URL=sqlite:////app/data/loopbot.db

RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --shell /usr/sbin/nologin app

WORKDIR /app

# The exact versions first (a layer that changes only with the locks). python-bugzilla
# comes as a source archive only: it is built with the hash-locked setuptools.
COPY requirements-build.lock requirements.lock /tmp/lock/
RUN pip install --require-hashes --no-deps -r /tmp/lock/requirements-build.lock \
    && pip install --require-hashes --no-deps --no-build-isolation -r /tmp/lock/requirements.lock \
    && rm -rf /tmp/lock
COPY --from=build /dist /tmp/dist
RUN pip install --no-deps --no-index /tmp/dist/loopbot-*.whl && rm -rf /tmp/dist

# Dockerflow: /__version__ answers with this file.
RUN python -c 'import json, sys; json.dump(dict(zip(("source", "version", "commit", "build"), sys.argv[1:])), open("/app/version.json", "w"))' \
    "$SOURCE" "$VERSION" "$COMMIT" "$BUILD"

# The configuration, the default `loopbot init` writes (mount your own over it), and a
# folder the bot may write (SQLite).
RUN loopbot init /app/app.yaml
RUN mkdir -p /app/data && chown app:app /app/data
VOLUME ["/app/data"]

USER app
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/__lbheartbeat__' % os.environ.get('PORT', '8000'), timeout=4)"
CMD ["loopbot", "run", "--host", "0.0.0.0"]
