# One image for every Spilno role: spilno run --role all|web|worker|scheduler, spilno db upgrade.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /src
COPY pyproject.toml README.md ./
COPY core ./core
COPY bot ./bot
COPY admin_cli ./admin_cli
# A normal install: the catalogs (core/locales) and migrations ship inside the package. The
# sources go afterwards so nothing can import them instead of what was installed.
RUN pip install --no-cache-dir /src \
    && rm -rf /src \
    && useradd --create-home --uid 10001 spilno

WORKDIR /app

USER spilno
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=2)"]
CMD ["spilno", "run", "--role", "all"]
