# One image for web, worker and beat (docker-compose.yml picks the command).
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=config.settings.production
WORKDIR /app
COPY requirements.txt constraints.txt ./
RUN pip install --no-cache-dir -r requirements.txt -c constraints.txt
COPY . .
RUN python scripts/compile_messages.py
# Build-time values only, so that the settings load; the real ones come from the environment at run time.
RUN SECRET_KEY=build-only FIELD_ENCRYPTION_KEY=build-only-field-key-never-used-at-run-time \
    python manage.py collectstatic --no-input -v0
RUN useradd --create-home sessionguard && mkdir -p var && chown sessionguard var
USER sessionguard
EXPOSE 8000
CMD ["gunicorn", "config.wsgi", "--config", "python:config.gunicorn", "--bind", "0.0.0.0:8000", "--workers", "3"]
