"""The document's JSON Schema (draft 2020-12), made from the models that validate it (app.formats.schema).

Editors read it to check and complete a document as it is written; `betgraph schema` prints it and
the service serves it at /schema/v1.json. It checks structure only: what needs the whole graph
(unknown ids, cycles, a status against its resolution) is for `betgraph lint` and the service.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from app.formats.schema import Document

DIALECT = "https://json-schema.org/draft/2020-12/schema"
# One identifier for every copy, served by any Betgraph or written beside a document: a name, not
# an address, since no one address serves them all.
SCHEMA_ID = "urn:betgraph:document:v1"
TITLE = "Betgraph document"


def document_schema() -> dict[str, Any]:
    """The JSON Schema of a document, as a new dict."""
    generated = Document.model_json_schema()
    return {"$schema": DIALECT, "$id": SCHEMA_ID, **generated, "title": TITLE}


@cache
def schema_text() -> str:
    """The schema as the CLI prints it and the service serves it: indented JSON, ASCII only, one final newline."""
    return json.dumps(document_schema(), indent=2) + "\n"
