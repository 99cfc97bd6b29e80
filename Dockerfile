# One image for every Spilno role: spilno run --role all|web|worker|scheduler, spilno db upgrade.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY pyproject.toml README.md ./
COPY core ./core
COPY bot ./bot
COPY admin_cli ./admin_cli
COPY locales ./locales
# Editable: the code stays in /app next to locales/, where the catalogs are read from.
RUN pip install --no-cache-dir -e . \
    && useradd --create-home --uid 10001 spilno

USER spilno
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=2)"]
CMD ["spilno", "run", "--role", "all"]
