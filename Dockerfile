# Evently application image: one image, four entry points (see docker-compose.yml).
FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
WORKDIR /src
COPY . .
# Runtime dependencies only: no [dev] extras.
RUN /opt/venv/bin/pip install .

FROM python:3.11-slim
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1
COPY --from=build /opt/venv /opt/venv
RUN useradd --system --uid 10001 --create-home --home-dir /app --shell /usr/sbin/nologin evently
USER evently
# A writable working directory (faust keeps its table state here); the code runs from site-packages.
WORKDIR /app
EXPOSE 8000
CMD ["python", "-m", "ingress"]
