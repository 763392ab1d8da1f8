# Pathways bot: `docker build -t pathways .`, then see deploy/ and the README's "Deploying".
FROM python:3.12-slim

# No .pyc files in the image, log lines out at once, no pip cache or version check.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies first, from pyproject.toml's pinned ranges, so that changing the code or the
# content does not reinstall them.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
    && pip install --no-cache-dir --requirement /tmp/requirements.txt \
    && rm /tmp/requirements.txt

COPY bot ./bot
COPY content ./content
COPY locales ./locales

# Fail the build, not the start-up, on broken content or translations. The bot reads the
# .po catalogs itself; compiling them checks each one (placeholders, Telegram's limits).
RUN python -m bot check content \
    && python -m bot i18n compile --out /tmp/mo > /dev/null \
    && rm -rf /tmp/mo

# An unprivileged user that owns only the data volume.
RUN useradd --system --uid 10001 --user-group --home-dir /nonexistent --no-create-home \
        --shell /usr/sbin/nologin pathways \
    && mkdir -p /data \
    && chown pathways:pathways /data \
    && chmod 0700 /data

ENV DATA_DIR=/data \
    CONTENT_DIR=/app/content \
    LOCALES_DIR=/app/locales \
    WEBHOOK_LISTEN=0.0.0.0 \
    WEBHOOK_PORT=8443

# The database (pathways.sqlite3) and the pseudonymisation key (secret.key): back both up.
VOLUME ["/data"]
USER 10001:10001

# Only used in webhook mode, behind a reverse proxy that terminates TLS.
EXPOSE 8443

# Content loads, the database opens and migrates, a token is configured.
HEALTHCHECK --interval=60s --timeout=20s --start-period=30s --retries=3 \
    CMD ["python", "-m", "bot", "health", "--quiet"]

# SIGTERM (docker stop) finishes the updates in flight and closes the database cleanly;
# SIGHUP reloads the content and translations.
CMD ["python", "-m", "bot", "run"]
