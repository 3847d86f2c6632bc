# The service image: the API with the in-process outbox worker.
#   docker build -t ecr-service .
#   docker run -p 8000:8000 -e ECR_SECRET_KEY=... -v ecr-var:/app/var ecr-service
# Production mode by default: it refuses to start without a strong ECR_SECRET_KEY. Point
# ECR_DATABASE_URL at PostgreSQL for several replicas; run more workers with `ecr worker`.

# The staff app (web/): built with Node.js here, only its build (web/dist) goes into the image.
FROM node:22 AS web
WORKDIR /web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund
# generate reads ../openapi/openapi.json: the build itself uses the committed src/api/schema.d.ts
COPY web/ ./
RUN npm run build

FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN groupadd --system --gid 10001 ecr \
 && useradd --system --uid 10001 --gid ecr --home-dir /app --no-create-home --shell /usr/sbin/nologin ecr

WORKDIR /app

# Install the package (not editable) from a throw-away copy of the sources.
COPY pyproject.toml README.md /tmp/build/
COPY src /tmp/build/src
RUN pip install /tmp/build && rm -rf /tmp/build

# The migrations run from the working directory (core.migrations looks for ./migrations).
COPY alembic.ini ./
COPY migrations ./migrations
# The staff app's build, served at /app/ (core.web.spa).
COPY --from=web /web/dist ./web/dist
RUN mkdir -p /app/var && chown ecr:ecr /app/var && chmod 0750 /app/var

ENV ECR_ENV=production \
    ECR_HOST=0.0.0.0 \
    ECR_PORT=8000 \
    ECR_DATABASE_URL=sqlite:////app/var/ecr.sqlite3 \
    ECR_RUN_WORKER_IN_PROCESS=true \
    ECR_WEB_DIST=/app/web/dist \
    ECR_LOG_LEVEL=INFO

USER ecr
VOLUME ["/app/var"]
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import os, sys, urllib.request; r = urllib.request.urlopen('http://127.0.0.1:%s/livez' % os.environ.get('ECR_PORT', '8000'), timeout=4); sys.exit(0 if r.status == 200 else 1)"]

# Migrate (idempotent), then serve. exec: uvicorn replaces the shell and gets
# SIGTERM directly for a graceful shutdown.
CMD ["sh", "-c", "ecr db upgrade && exec uvicorn core.app:app_factory --factory --host 0.0.0.0 --port \"${ECR_PORT:-8000}\" --no-proxy-headers"]
