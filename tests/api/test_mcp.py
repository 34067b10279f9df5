"""/mcp through the MCP SDK's own client, against a real server (`betgraph serve`) on SQLite and on PostgreSQL.

One server per database for the module (two workers on PostgreSQL): the public example, the failures
example made private, and tokens made by `betgraph token create`. What each tool answers is held
against what the API (or the command line) answers for the same question.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx2
import pytest
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError
from mcp.types import CallToolResult, TextContent, Tool

from tests.servers import ROOT, betgraph, database, serving

T = TypeVar("T")
TOOLS = {"list_graphs", "read_graph", "explain_bet", "lint_findings", "leaps_of_faith", "search", "diagram_url"}
PRIVATE = "failures"  # examples/failures.yaml, made private
INITIATIVE = "employee-invite-flow"


@dataclass
class Server:
    base: str
    env: dict[str, str]
    admin: str  # an admin service token: every graph
    acme: str  # a read token for acme alone
    private: str  # a read token for the private graph alone

    def use(self, token: str | None, work: Callable[[ClientSession], Awaitable[T]]) -> T:
        """`work` done in an MCP session opened with `token` (None: anonymous)."""
        return asyncio.run(session(f"{self.base}/mcp", token, work))

    def call(self, token: str | None, name: str, **arguments: Any) -> CallToolResult:
        return self.use(token, lambda mcp: mcp.call_tool(name, arguments))

    def api(self, path: str, token: str | None = None) -> httpx2.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx2.get(self.base + path, headers=headers, timeout=30)


async def session(
    url: str, token: str | None, work: Callable[[ClientSession], Awaitable[T]], statuses: list[int] | None = None
) -> T:
    async def seen(response: httpx2.Response) -> None:
        if statuses is not None:
            statuses.append(response.status_code)

    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with (
        httpx2.AsyncClient(headers=headers, timeout=30, event_hooks={"response": [seen]}) as http,
        streamable_http_client(url, http_client=http) as (read, write),
        ClientSession(read, write) as mcp,
    ):
        await mcp.initialize()
        return await work(mcp)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("mcp")
    with database(request.param, folder) as url:
        env = os.environ | {"BETGRAPH_DATA": str(folder / "data"), "DATABASE_URL": url}
        private = (ROOT / "examples" / "failures.yaml").read_text().replace("visibility: public", "visibility: private")
        (folder / "failures.yaml").write_text(private)
        betgraph(env, "db", "upgrade")
        betgraph(env, "import", str(ROOT / "examples" / "acme.yaml"))
        betgraph(env, "import", str(folder / "failures.yaml"))
        admin = betgraph(env, "token", "create", "--scope", "admin").stdout.strip()
        acme = betgraph(env, "token", "create", "--scope", "read", "--graph", "acme").stdout.strip()
        alone = betgraph(env, "token", "create", "--scope", "read", "--graph", PRIVATE).stdout.strip()
        # Two workers on PostgreSQL, as it is deployed: the server keeps no sessions, so either answers.
        with serving(env, workers=2 if request.param == "postgresql" else 1) as base:
            yield Server(base, env, admin, acme, alone)


def text(result: CallToolResult) -> str:
    return "\n".join(block.text for block in result.content if isinstance(block, TextContent))


def data(result: CallToolResult) -> dict[str, Any]:
    assert not result.is_error, text(result)
    assert isinstance(result.structured_content, dict)
    return result.structured_content


def refusal(result: CallToolResult) -> str:
    assert result.is_error, result
    assert result.structured_content is None
    return text(result)


def test_the_seven_tools_are_listed_and_none_writes(server: Server) -> None:
    tools: list[Tool] = server.use(None, lambda mcp: mcp.list_tools()).tools
    assert {tool.name for tool in tools} == TOOLS
    for tool in tools:
        assert tool.description, tool.name
        assert tool.input_schema["type"] == "object", tool.name
        assert (tool.output_schema or {}).get("type") == "object", tool.name
        assert tool.annotations is not None, tool.name
        assert (tool.annotations.read_only_hint, tool.annotations.destructive_hint) == (True, False), tool.name
    schemas = {tool.name: tool.input_schema for tool in tools}
    assert schemas["explain_bet"]["required"] == ["slug", "bet"]
    assert set(schemas["diagram_url"]["properties"]["view"]["enum"]) >= {"map", "why", "board", "assumptions"}


def test_list_graphs_shows_what_the_caller_may_read(server: Server) -> None:
    def listed(token: str | None) -> dict[str, dict[str, Any]]:
        return {entry["slug"]: entry for entry in data(server.call(token, "list_graphs"))["graphs"]}

    anyone = listed(None)
    assert list(anyone) == ["acme"]
    assert anyone["acme"]["visibility"] == "public"
    assert (anyone["acme"]["bets"], anyone["acme"]["assumptions"]) == (29, 9)
    assert anyone["acme"]["title"] == "Acme product map"
    everything = listed(server.admin)
    assert list(everything) == ["acme", PRIVATE]
    assert everything[PRIVATE]["visibility"] == "private"
    assert (everything[PRIVATE]["bets"], everything[PRIVATE]["assumptions"]) == (15, 5)
    assert list(listed(server.acme)) == ["acme"]
    # A token for one graph sees no other, not even a public one.
    assert list(listed(server.private)) == [PRIVATE]
    paged = data(server.call(server.admin, "list_graphs", limit=1))
    assert [entry["slug"] for entry in paged["graphs"]] == ["acme"]
    assert paged["next"] == "acme"
    rest = data(server.call(server.admin, "list_graphs", after="acme"))
    assert [entry["slug"] for entry in rest["graphs"]] == [PRIVATE]
    assert rest["next"] is None


def test_read_graph_is_the_document_the_api_gives(server: Server) -> None:
    answer = data(server.call(None, "read_graph", slug="acme"))
    assert answer["graph"] == "acme"
    assert answer["revision"] == 1
    assert answer["document"] == server.api("/api/graphs/acme").json()
    private = data(server.call(server.admin, "read_graph", slug=PRIVATE, as_of="1"))
    assert private["document"] == server.api(f"/api/graphs/{PRIVATE}?as_of=1", server.admin).json()
    assert private["document"]["graph"]["title"] == "Common failures of a bet map"


def test_explain_bet_gives_the_chain_to_the_vision_as_betgraph_why_does(server: Server) -> None:
    result = server.call(None, "explain_bet", slug="acme", bet=INITIATIVE)
    answer = data(result)
    said = betgraph(server.env, "why", str(ROOT / "examples" / "acme.yaml"), INITIATIVE).stdout
    assert answer["explanation"] == said.rstrip("\n")
    assert isinstance(result.content[0], TextContent)
    assert result.content[0].text == said.rstrip("\n")
    assert "chain certainty: 8%" in said
    assert "weakest link: time-to-first-payroll" in said
    why = server.api(f"/api/graphs/acme/why/{INITIATIVE}").json()
    assert answer["chain_certainty"] == why["chain_certainty"]
    assert (answer["path"], answer["bets"], answer["assumptions"]) == (why["path"], why["bets"], why["assumptions"])
    assert answer["weakest"] == why["weakest"] == "time-to-first-payroll"
    chain = answer["chain"]
    assert [link["id"] for link in chain] == list(reversed(why["path"]))
    assert (chain[0]["kind"], chain[0]["id"]) == ("vision", "payroll-in-minutes")
    assert (chain[-1]["kind"], chain[-1]["id"]) == ("initiative", INITIATIVE)
    hypothesis = chain[-2]
    assert [a["id"] for a in hypothesis["rests_on"]] == ["employees-have-bank-details"]
    assert hypothesis["rests_on"][0]["certainty"] == 0.85


def test_lint_findings_are_the_api_findings(server: Server) -> None:
    answer = data(server.call(server.admin, "lint_findings", slug=PRIVATE))
    assert answer == server.api(f"/api/graphs/{PRIVATE}/lint", server.admin).json()
    rules = {finding["rule"] for finding in answer["findings"]}
    assert {"unsupported-assumption", "untested-delivery", "multi-parent"} <= rules
    assert data(server.call(None, "lint_findings", slug="acme"))["findings"] == []


def test_leaps_of_faith_are_the_test_first_quadrant_with_the_bets_resting_on_each(server: Server) -> None:
    answer = data(server.call(None, "leaps_of_faith", slug="acme"))
    lens = server.api("/api/graphs/acme/lenses/assumptions").json()
    test_first = [point for point in lens["assumptions"] if point["quadrant"] == "test-first"]
    assert test_first, "the example has leaps of faith"
    assert [leap["id"] for leap in answer["assumptions"]] == [point["id"] for point in test_first]
    for leap, point in zip(answer["assumptions"], test_first, strict=True):
        assert (leap["importance"], leap["evidence_score"]) == (point["importance"], point["evidence"])
        assert leap["importance"] >= 4
        assert leap["evidence_score"] < 0.5
        assert len(leap["bets"]) == point["resting"]
    fair = next(leap for leap in answer["assumptions"] if leap["id"] == "early-pay-is-fair")
    assert "earned-wage-access" in [bet["id"] for bet in fair["bets"]]
    assert answer["meaning"] == "important, little evidence: the leaps of faith"
    unknown = refusal(server.call(None, "leaps_of_faith", slug="acme", team="Nobody"))
    assert "Nobody" in unknown


def test_search_finds_bets_over_the_graphs_the_caller_may_read(server: Server) -> None:
    answer = data(server.call(None, "search", q="invite"))
    found = {item["id"]: item for item in answer["items"]}
    assert INITIATIVE in found
    assert found[INITIATIVE]["url"] == f"{server.base}/graphs/acme?focus={INITIATIVE}"
    assert found[INITIATIVE]["bet_kind"] == "initiative"
    api = server.api("/api/search?q=invite").json()
    assert [item["id"] for item in answer["items"]] == [item["id"] for item in api["items"]]
    # The private graph's words are found only by whom may read it.
    assert data(server.call(None, "search", q="importer"))["items"] == []
    assert {item["graph"] for item in data(server.call(server.admin, "search", q="importer"))["items"]} == {PRIVATE}
    assert data(server.call(server.acme, "search", q="importer"))["items"] == []


def test_diagram_url_names_a_picture_that_is_there(server: Server) -> None:
    answer = data(server.call(None, "diagram_url", slug="acme", view="why", focus=INITIATIVE, format="png"))
    assert answer["url"] == f"{server.base}/graphs/acme/why/{INITIATIVE}.png" == answer["png_url"]
    assert answer["svg_url"] == f"{server.base}/graphs/acme/why/{INITIATIVE}.svg"
    assert answer["viewer_url"] == f"{server.base}/graphs/acme?view=why&focus={INITIATIVE}"
    picture = httpx2.get(answer["url"], timeout=60)
    assert picture.status_code == 200
    assert picture.headers["content-type"] == "image/png"
    lens = data(server.call(None, "diagram_url", slug="acme", view="assumptions"))
    assert lens["url"] == f"{server.base}/graphs/acme/assumptions.svg"
    pinned = data(server.call(None, "diagram_url", slug="acme", as_of="1"))
    assert pinned["url"] == f"{server.base}/graphs/acme/r/1.svg"
    team = data(server.call(None, "diagram_url", slug="acme", view="board", focus="growth"))
    assert team["url"] == f"{server.base}/graphs/acme/board/growth.svg"
    private = data(server.call(server.admin, "diagram_url", slug=PRIVATE))
    assert private["url"] == f"{server.base}/graphs/{PRIVATE}.svg"
    assert httpx2.get(private["url"], timeout=60).status_code == 401
    shown = httpx2.get(private["url"], headers={"Authorization": f"Bearer {server.admin}"}, timeout=60)
    assert shown.status_code == 200
    assert "<svg" in shown.text


def test_a_private_graph_is_refused_as_the_api_refuses_it(server: Server) -> None:
    asks: list[tuple[str, dict[str, Any]]] = [
        ("read_graph", {"slug": PRIVATE}),
        ("explain_bet", {"slug": PRIVATE, "bet": "csv-importer"}),
        ("lint_findings", {"slug": PRIVATE}),
        ("leaps_of_faith", {"slug": PRIVATE}),
        ("search", {"q": "importer", "graph": PRIVATE}),
        ("diagram_url", {"slug": PRIVATE}),
    ]
    title = "Common failures of a bet map"
    for token in (None, server.acme):
        detail = server.api(f"/api/graphs/{PRIVATE}", token).json()["detail"]
        for name, arguments in asks:
            said = refusal(server.call(token, name, **arguments))
            assert said == detail, (name, token)
            assert title not in said
    assert detail == f"no graph {PRIVATE!r}"  # a token without rights: as if there were none
    assert server.api(f"/api/graphs/{PRIVATE}").json()["detail"] == f"graph {PRIVATE!r} is private"
    for name, arguments in asks:
        assert not server.call(server.admin, name, **arguments).is_error, name
    # A token for one graph sees no other, even a public one.
    assert refusal(server.call(server.private, "read_graph", slug="acme")) == "no graph 'acme'"
    assert data(server.call(server.private, "read_graph", slug=PRIVATE))["document"]["graph"]["title"] == title


def test_bad_arguments_are_tool_errors_that_say_what_is_wrong(server: Server) -> None:
    async def ask(mcp: ClientSession) -> list[str]:
        said = []
        for name, arguments in [
            ("read_graph", {"slug": "nothing-here"}),
            ("explain_bet", {"slug": "acme", "bet": "no-such-bet"}),
            ("search", {"q": "   "}),
            ("read_graph", {"slug": "acme", "as_of": "yesterday"}),
            ("read_graph", {"slug": "acme", "as_of": "1999-01-01"}),
            ("read_graph", {"slug": "acme", "colour": "red"}),
            ("explain_bet", {"slug": "acme"}),
            ("list_graphs", {"limit": "many"}),
            ("diagram_url", {"slug": "acme", "view": "why"}),
            ("diagram_url", {"slug": "acme", "view": "why", "focus": "no-such-bet"}),
        ]:
            said.append(refusal(await mcp.call_tool(name, arguments)))
        # The same session still answers: nothing crashed.
        assert not (await mcp.call_tool("list_graphs", {})).is_error
        return said

    said = server.use(None, ask)
    assert said[0] == "no graph 'nothing-here'"
    assert said[1] == "no bet 'no-such-bet' in graph 'acme'"
    assert said[2] == "say what to look for: `q` is empty"
    assert said[3].startswith("as_of must be a revision number or an ISO date")
    assert said[4].startswith("graph 'acme' did not exist yet at as_of=1999-01-01")
    assert said[5] == "colour: Extra inputs are not permitted"
    assert said[6] == "bet: Field required"
    assert said[7].startswith("limit: Input should be a valid integer")
    assert "needs a focus" in said[8]
    assert "no-such-bet" in said[9]
    for message in said:
        assert "Traceback" not in message
    # A tool that is not there is a protocol error, as the MCP specification says.
    with pytest.raises(ExceptionGroup) as raised:
        server.use(None, lambda mcp: mcp.call_tool("delete_graph", {"slug": "acme"}))
    assert raised.group_contains(MCPError, match="no tool 'delete_graph'")
    assert data(server.call(None, "list_graphs"))["graphs"]  # still there


def test_an_unknown_or_revoked_token_is_refused_with_401(server: Server) -> None:
    def refused(token: str) -> list[int]:
        statuses: list[int] = []
        with pytest.raises(ExceptionGroup) as raised:
            asyncio.run(session(f"{server.base}/mcp", token, lambda mcp: mcp.list_tools(), statuses))
        assert raised.group_contains(MCPError)
        return statuses

    assert refused("bg_not-a-token") == [401]
    revoked = betgraph(server.env, "token", "create", "--scope", "admin", "--label", "to revoke").stdout.strip()
    assert not server.call(revoked, "read_graph", slug=PRIVATE).is_error
    listed = betgraph(server.env, "token", "list").stdout.splitlines()
    token_id = next(line.split()[0] for line in listed if "to revoke" in line)
    betgraph(server.env, "token", "revoke", token_id)
    assert refused(revoked) == [401]
    answer = httpx2.post(
        f"{server.base}/mcp",
        json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
        headers={"Authorization": f"Bearer {revoked}", "Accept": "application/json, text/event-stream"},
        timeout=30,
    )
    assert answer.status_code == 401
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.headers["www-authenticate"] == 'Bearer realm="betgraph"'
    assert answer.json()["detail"] == "the token is unknown or revoked"


def test_the_server_answers_without_keeping_sessions(server: Server) -> None:
    # Stateless: a tool call needs no session of its own, so any worker may answer it.
    answer = httpx2.post(
        f"{server.base}/mcp",
        json={"jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": {"name": "list_graphs", "arguments": {}}},
        headers={"Accept": "application/json, text/event-stream", "MCP-Protocol-Version": "2025-11-25"},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/json")
    assert "mcp-session-id" not in answer.headers
    body = answer.json()
    assert body["id"] == 7
    assert body["result"]["structuredContent"]["graphs"][0]["slug"] == "acme"


def test_bad_requests_to_the_endpoint_get_a_clear_4xx(server: Server) -> None:
    accept = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
    url = f"{server.base}/mcp"
    for method in ("GET", "DELETE", "PUT"):
        answer = httpx2.request(method, url, headers=accept, timeout=30)
        assert answer.status_code == 405, (method, answer.text)
        assert answer.headers["content-type"] == "application/problem+json"
    for body, headers in [
        (b"{not json", accept),
        (b'{"jsonrpc": "2.0", "id": 1, "method": "tools/list"}', accept | {"Content-Type": "text/plain"}),
        (b'"\\ud800"', accept),
        (b"[" * 10_000 + b"]" * 10_000, accept),
    ]:
        answer = httpx2.post(url, content=body, headers=headers, timeout=30)
        assert 400 <= answer.status_code < 500, (body[:40], answer.status_code, answer.text[:300])
        assert len(answer.content) < 4096
        assert "Traceback" not in answer.text
    unknown = httpx2.post(url, json={"jsonrpc": "2.0", "id": 3, "method": "graphs/delete"}, headers=accept, timeout=30)
    assert unknown.json()["error"]["code"] == -32601  # method not found
    assert httpx2.post(url + "?x=a%00b", json={}, headers=accept, timeout=30).status_code == 400
    huge = httpx2.post(url, content=b"x" * (6 << 20), headers=accept, timeout=30)
    assert huge.status_code == 413


def test_an_assumption_a_verdict_has_closed_is_no_longer_a_leap_of_faith(server: Server) -> None:
    """The digest and this tool share the rule (`AssumptionMap.leaps`): tested is tested, whatever
    the evidence says; the map still places it, marked resolved."""
    document = """betgraph: 1
graph: {slug: leaps, title: Leaps}
bets:
  - {id: vision, kind: vision, title: Vision}
  - {id: goal, kind: goal, title: Goal, parents: [vision], assumes: [open, closed]}
assumptions:
  - {id: open, statement: Nobody has tried it, importance: 5}
  - {id: closed, statement: We tried it, importance: 5, resolution: {verdict: invalidated, resolved_on: 2026-11-01}}
"""
    headers = {"Authorization": f"Bearer {server.admin}"}
    made = httpx2.put(
        f"{server.base}/api/graphs/leaps", content=document, headers=headers | {"Content-Type": "application/yaml"}
    )
    assert made.status_code in (200, 201), made.text
    try:
        leaps = data(server.call(server.admin, "leaps_of_faith", slug="leaps"))["assumptions"]
        assert [leap["id"] for leap in leaps] == ["open"]
        lens = server.api("/api/graphs/leaps/lenses/assumptions", server.admin).json()["assumptions"]
        placed = {point["id"]: (point["quadrant"], point["resolved"]) for point in lens}
        assert placed == {"open": ("test-first", False), "closed": ("test-first", True)}
    finally:
        httpx2.delete(f"{server.base}/api/graphs/leaps", headers=headers).raise_for_status()
