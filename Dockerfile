# loopbot's container: `loopbot run` on waitress, as a non-root user, listening on every
# interface at $PORT (8000), JSON logs on stderr. README.md, "Operating loopbot", says how
# to build and run it.
#
#   docker build --build-arg VERSION=0.1.0 --build-arg COMMIT=$(git rev-parse HEAD) \
#     --build-arg BUILD=https://ci.example/job/42 -t loopbot .
FROM python:3.11-slim

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

# The exact versions first (a layer that changes only with the lock), then loopbot itself
# without resolving anything again.
COPY requirements.lock ./
RUN pip install --no-deps -r requirements.lock
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
RUN pip install --no-deps . && rm -rf build *.egg-info

# Dockerflow: /__version__ answers with this file.
RUN python -c 'import json, sys; json.dump(dict(zip(("source", "version", "commit", "build"), sys.argv[1:])), open("/app/version.json", "w"))' \
    "$SOURCE" "$VERSION" "$COMMIT" "$BUILD"

# The configuration (mount your own over it) and a folder the bot may write (SQLite).
COPY app.yaml ./app.yaml
RUN mkdir -p /app/data && chown app:app /app/data
VOLUME ["/app/data"]

USER app
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/__lbheartbeat__' % os.environ.get('PORT', '8000'), timeout=4)"
CMD ["loopbot", "run", "--host", "0.0.0.0"]
