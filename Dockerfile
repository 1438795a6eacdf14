# Image of the PLIE platform: one image for the web app (gunicorn), the Celery worker,
# Celery beat and the one-shot migration job (see docker-compose.yml).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# System libraries needed by WeasyPrint (PDF generation), from Debian.
# libharfbuzz-subset0 lets WeasyPrint subset fonts with HarfBuzz instead of the pure-Python
# fontTools fallback: PDFs are generated about 3.7x faster with it.
# fonts-dejavu-core gives a default font so PDFs render even without web fonts.
# poppler-utils is not needed at runtime and is deliberately not installed.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz0b \
        libharfbuzz-subset0 \
        libfontconfig1 \
        fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

# Unprivileged user running every process of the image.
RUN groupadd --system --gid 1000 app \
    && useradd --system --uid 1000 --gid app --home-dir /app --no-create-home app

WORKDIR /app

# Dependencies first, so that this layer is rebuilt only when pyproject.toml changes.
# `pip install .` installs the dependencies only (the code runs in place from /app);
# it needs README.md because pyproject.toml references it.
COPY pyproject.toml README.md ./
RUN pip install . \
    && rm -rf build ./*.egg-info

COPY . .

# Static files are collected at build time into STATIC_ROOT (/app/var/static), where WhiteNoise
# serves them. This must run with the production settings: they use WhiteNoise's
# CompressedManifestStaticFilesStorage, whose manifest (staticfiles.json) the dev storage does
# not write, and without it every {% static %} tag fails in production. The values below are
# build-time placeholders that only pass the settings' validation (nothing is connected to);
# they are not kept in the image: the real ones come from the environment at run time.
# var/ stays writable by the app user: uploaded media (a volume mounted on /app/var/media)
# and the Celery beat schedule (/app/var/celerybeat-schedule) live there.
RUN PLIE_ENV=prod \
    SECRET_KEY=build-time-placeholder-for-collectstatic-only-not-a-real-secret-key \
    ALLOWED_HOSTS=build.invalid \
    SITE_URL=https://build.invalid \
    DATABASE_URL=postgres://build@build.invalid/build \
    REDIS_URL=redis://build.invalid:6379/0 \
    EMAIL_HOST=build.invalid \
    SMS_BACKEND=console \
    python manage.py collectstatic --noinput \
    && mkdir -p var/media \
    && chown app:app var var/media

USER app

EXPOSE 8000

CMD ["gunicorn", "plie.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
