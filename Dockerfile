FROM python:3.11-slim-bookworm
# Graphviz lays out and draws; librsvg turns the finished SVG into PNG and PDF.
RUN apt-get update \
    && apt-get install -y --no-install-recommends graphviz librsvg2-bin fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --create-home --uid 10001 betgraph && mkdir /data && chown betgraph /data
WORKDIR /app
COPY pyproject.toml README.md alembic.ini ./
COPY app ./app
COPY migrations ./migrations
# Editable, so the migrations beside the package are where `betgraph db upgrade` looks for them.
RUN pip install --no-cache-dir -e .
USER betgraph
ENV BETGRAPH_DATA=/data
VOLUME /data
EXPOSE 8000
# SQLite in /data by default; set DATABASE_URL=postgresql+psycopg://… for PostgreSQL.
ENTRYPOINT ["betgraph"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]
