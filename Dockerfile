# The same steps CI runs: install the package (with its demo fixtures) and serve.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    EMULATOR_HOST=0.0.0.0 EMULATOR_DB=/data/lms-emulator.db

WORKDIR /app
COPY pyproject.toml README.md ./
COPY emulator ./emulator
COPY fixtures ./fixtures
RUN pip install --no-cache-dir ".[postgres]" \
    && useradd --system --uid 10001 --home /data emulator \
    && mkdir -p /data && chown emulator /data

USER emulator
VOLUME ["/data"]
# The port a client reaches; the health check follows EMULATOR_PORT when that is changed.
EXPOSE 8800
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
    CMD python -c "import os,sys,urllib.request; port = os.environ.get('EMULATOR_PORT', '8800'); sys.exit(urllib.request.urlopen(f'http://127.0.0.1:{port}/_emulator/health', timeout=2).status != 200)"
CMD ["lms-emulator", "serve", "--host", "0.0.0.0"]
