FROM python:3.11-slim-bookworm
# Graphviz lays out and draws; librsvg turns the finished SVG into PNG and PDF.
RUN apt-get update \
    && apt-get install -y --no-install-recommends graphviz librsvg2-bin fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --create-home --uid 10001 betgraph
WORKDIR /app
COPY pyproject.toml README.md ./
COPY app ./app
RUN pip install --no-cache-dir .
USER betgraph
ENTRYPOINT ["betgraph"]
CMD ["--help"]
