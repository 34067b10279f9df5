"""The ASGI application for uvicorn: `uvicorn app.api.main:app`, or `betgraph serve`."""

from app.api.app import create_app, served

app = served(create_app())
