FROM python:3.11-slim-bookworm

RUN apt-get update \
 && apt-get install -y --no-install-recommends libharfbuzz-subset0 libpango-1.0-0 \
    libpangoft2-1.0-0 fonts-dejavu-core gettext \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml requirements.lock ./
RUN pip install --no-cache-dir -c requirements.lock .
COPY . .
# Collected as the running container serves them: DEBUG off, so the manifest storage writes the
# manifest that whitenoise and {% static %} read (STATIC_ROOT is under /app, not the volume).
RUN DJANGO_SETTINGS_MODULE=portal.settings python manage.py compilemessages --ignore=.venv \
 && DJANGO_SETTINGS_MODULE=portal.settings DEBUG=false python manage.py collectstatic --noinput

ENV DJANGO_SETTINGS_MODULE=portal.settings PORTAL_VAR_DIR=/var/lib/portal
EXPOSE 8000
CMD ["gunicorn", "portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
