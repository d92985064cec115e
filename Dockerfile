# One image for every ringi service (migrate, seed, worker, API, stubs); docker-compose.yml picks the command.
# Two stages: the builder installs the hashed lock and ringi's wheel into a venv; the runtime stage takes only that
# venv (no compiler, no pip cache, no sources, no tests, no bench, no `temporal` dev binary: the dev extra is not
# installed).  tests/test_image.py builds the wheel from exactly what the COPY lines below take.

# ---------------------------------------------------------------------------------------------------- builder
FROM python:3.11.11-slim-bookworm AS builder

ENV PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN python -m venv /opt/ringi
# Third-party packages first (a layer that changes only with the lock): every file checked against its hash.
COPY requirements.lock /tmp/requirements.lock
RUN /opt/ringi/bin/pip install --no-deps --require-hashes -r /tmp/requirements.lock

WORKDIR /src
# Only what the wheel needs: every package that pyproject's packages.find ships (not tests/, not bench/).
COPY pyproject.toml README.md ./
COPY schemas ./schemas
COPY domain ./domain
COPY core ./core
COPY db ./db
COPY rules ./rules
COPY integrations ./integrations
COPY workflows ./workflows
COPY activities ./activities
COPY worker ./worker
COPY api ./api
COPY stubs ./stubs
COPY cli ./cli
# The build backend (setuptools) is pinned in the lock; no extras: the runtime dependencies only.
RUN /opt/ringi/bin/pip wheel --no-deps --no-build-isolation --wheel-dir /tmp/wheels . \
    && /opt/ringi/bin/pip install --no-deps /tmp/wheels/ringi-*.whl \
    && /opt/ringi/bin/pip check

# ---------------------------------------------------------------------------------------------------- runtime
FROM python:3.11.11-slim-bookworm

# Dates (起案日, 決裁日, due dates) are JST whatever the host says; tzdata gives the zone its rules.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    TZ=Asia/Tokyo \
    PATH=/opt/ringi/bin:$PATH \
    RINGI_DATA_DIR=/var/lib/ringi

# The 原議 PDF embeds the IPAex明朝 that ringi ships (core/ipaex/, IPA Font License): no font package is needed.
RUN apt-get update \
    && apt-get install -y --no-install-recommends tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system ringi \
    && useradd --system --gid ringi --home-dir /var/lib/ringi --shell /usr/sbin/nologin ringi \
    && mkdir -p /var/lib/ringi \
    && chown ringi:ringi /var/lib/ringi

COPY --from=builder /opt/ringi /opt/ringi

USER ringi
WORKDIR /var/lib/ringi
EXPOSE 8000
CMD ["ringi", "api"]
