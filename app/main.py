"""The ASGI application for uvicorn: `uvicorn app.main:app`, or `betgraph serve`."""

from app.server import create_app, served

app = served(create_app())
