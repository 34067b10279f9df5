"""The ASGI application, as `betgraph serve` runs it (with `app.serving`'s header deadline, which
plain `uvicorn app.main:app` would leave out)."""

from app.server import create_app, served

app = served(create_app())
