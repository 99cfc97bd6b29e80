FROM python:3.12-slim
WORKDIR /app
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
COPY pyproject.toml README.md ./
COPY core ./core
COPY bot ./bot
COPY admin_cli ./admin_cli
COPY locales ./locales
RUN pip install --no-cache-dir -e .
RUN useradd --create-home spilno
USER spilno
EXPOSE 8080
CMD ["spilno", "run"]
