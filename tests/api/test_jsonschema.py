"""GET /schema/v1.json: the document's JSON Schema, cacheable, and read by a real validator from a running server."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from app.formats.jsonschema import schema_text
from tests.api.conftest import Api
from tests.schemacheck import CHECK_JSONSCHEMA
from tests.servers import ROOT, serving


def test_the_schema_is_served_as_json_schema(api: Api) -> None:
    answer = api.client.get("/schema/v1.json")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/schema+json"
    assert answer.text == schema_text()
    assert answer.json()["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert answer.headers["cache-control"] == "public, max-age=3600"
    assert answer.headers["access-control-allow-origin"] == "*"
    assert answer.headers["etag"].startswith('"')


def test_a_client_holding_the_current_copy_gets_304(api: Api) -> None:
    tag = api.client.get("/schema/v1.json").headers["etag"]
    again = api.client.get("/schema/v1.json", headers={"If-None-Match": f'W/{tag}, "other"'})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == tag
    assert api.client.get("/schema/v1.json", headers={"If-None-Match": '"stale"'}).status_code == 200


def test_the_openapi_document_lists_it(api: Api) -> None:
    operation = api.client.get("/openapi.json").json()["paths"]["/schema/v1.json"]["get"]
    assert "application/schema+json" in operation["responses"]["200"]["content"]


def test_check_jsonschema_validates_documents_against_the_served_schema(tmp_path: Path) -> None:
    env = os.environ | {"BETGRAPH_DATA": str(tmp_path), "DATABASE_URL": ""}
    bad = tmp_path / "bad.yaml"
    bad.write_text("betgraph: 1\ngraph: {slug: acme, title: Acme, colour: red}\n")
    with serving(env) as base:

        def check(document: Path) -> subprocess.CompletedProcess[str]:
            return subprocess.run(
                [str(CHECK_JSONSCHEMA), "--no-cache", "--schemafile", f"{base}/schema/v1.json", str(document)],
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )

        good = check(ROOT / "examples" / "acme.yaml")
        refused = check(bad)
    assert good.returncode == 0, good.stdout + good.stderr
    assert refused.returncode == 1
    assert "'colour' was unexpected" in refused.stdout
