# One image for every ringi service (migrate, worker, API, stubs); docker-compose.yml picks the command.
FROM python:3.11.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    RINGI_DATA_DIR=/var/lib/ringi

RUN groupadd --system ringi \
    && useradd --system --gid ringi --home-dir /var/lib/ringi --shell /usr/sbin/nologin ringi \
    && mkdir -p /var/lib/ringi \
    && chown ringi:ringi /var/lib/ringi

# The 原議 PDF embeds a Japanese TrueType font (IPAex); nothing is fetched at run time.
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-ipaexfont \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /src
# Only what the package needs (no .venv, no .ringi state, no tests).
COPY pyproject.toml README.md ./
COPY schemas ./schemas
COPY core ./core
COPY db ./db
COPY integrations ./integrations
COPY workflows ./workflows
COPY activities ./activities
COPY worker ./worker
COPY api ./api
COPY stubs ./stubs
COPY cli ./cli
COPY bench ./bench
RUN pip install . && rm -rf /src

USER ringi
WORKDIR /var/lib/ringi
EXPOSE 8000
CMD ["ringi", "api"]
