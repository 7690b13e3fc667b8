# Guardian HTTP app (`guardian serve`), CPU only.
FROM python:3.11-slim AS runtime
ENV PIP_NO_CACHE_DIR=1 PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 MALLOC_ARENA_MAX=2 \
    GUARDIAN_HOME=/var/lib/guardian HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
WORKDIR /app
# CPU torch first, pinned, so nothing pulls a CUDA build.
RUN pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY agents ./agents
COPY tools ./tools
COPY knowledge ./knowledge
RUN pip install . && useradd --system --create-home guardian && mkdir -p /var/lib/guardian \
    && chown guardian /var/lib/guardian
USER guardian
RUN python -m knowledge.onnx_export  # MiniLM to ONNX once, in the user's cache: no query imports torch
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request,sys; \
    sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8080/healthz').status == 200 else 1)"
CMD ["guardian", "serve", "--host", "0.0.0.0", "--port", "8080"]
