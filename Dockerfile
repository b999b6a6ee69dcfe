# One image for the one-shot migrate service, the web app (gunicorn), the Celery worker and Celery beat;
# docker-compose.yml picks the command. It installs production's packages only (requirements/base.txt): no
# embedded PostgreSQL or Valkey, no test tools, no browser driver, no benchmark charts.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app

COPY requirements/base.txt requirements/base.txt
RUN pip install -r requirements/base.txt

COPY . .
# Static files are collected at build time with no secret and no service: the development profile needs neither
# (nothing here connects to a server), and STATIC_MANIFEST=true picks production's hashed, compressed storage.
RUN DJANGO_ENV=development STATIC_MANIFEST=true python manage.py collectstatic --noinput
RUN useradd --system --uid 10001 --home-dir /app app && chown -R app /app
USER app

EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
