"""The search index on both databases: every field, ranked, kept current by save_graph, never read as syntax."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain.model import Graph, Kind, Visibility
from app.storage import search
from app.storage.graphs import delete_graph, get_graph_row, save_graph
from app.storage.tables import SearchRow
from tests.domain.builders import assumption, bet, graph


def _graph(slug: str = "plans", visibility: Visibility = Visibility.PRIVATE) -> Graph:
    return dataclasses.replace(
        graph(
            bet("vision", Kind.VISION, title="Payroll in five minutes"),
            bet(
                "grow",
                Kind.GOAL,
                ["vision"],
                assumes=["owners"],
                title="Grow self-serve revenue",
                description="Small companies sign up without talking to sales; the lighthouse metric",
                owner="Priya Raman",
                team="Growth",
                tags=("quarterly", "northstar"),
            ),
            bet("mobile", Kind.GOAL, ["vision"], title="A mobile app for approvals", description="revenue later"),
            assumption("owners", statement="Owners prefer doing payroll themselves"),
        ),
        slug=slug,
        title=f"{slug.title()} map",
        visibility=visibility,
    )


def _ids(session: Session, query: str, **options: object) -> list[str]:
    return [hit.item_id for hit in search.find(session, search.words(query), **options)]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("revenue", "grow"),  # title
        ("Owners prefer", "owners"),  # an assumption's statement
        ("lighthouse", "grow"),  # description
        ("Priya", "grow"),  # owner
        ("growth", "grow"),  # team
        ("northstar", "grow"),  # a tag
        ("approv", "mobile"),  # the last word is a prefix
        ("self serve rev", "grow"),  # every word, the last a prefix
    ],
)
def test_each_field_is_found(session: Session, query: str, expected: str) -> None:
    save_graph(session, _graph())
    assert expected in _ids(session, query)


def test_every_word_must_be_there(session: Session) -> None:
    save_graph(session, _graph())
    assert _ids(session, "payroll minutes") == ["vision"]
    assert _ids(session, "payroll nowhere") == []


def test_a_title_match_ranks_above_a_description_match(session: Session) -> None:
    save_graph(session, _graph())
    assert _ids(session, "revenue") == ["grow", "mobile"]  # "revenue" is grow's title, mobile's description
    hits = search.find(session, ["revenue"])
    assert hits[0].score > hits[1].score
    assert (hits[0].graph, hits[0].graph_title, hits[0].section, hits[0].kind) == ("plans", "Plans map", "bet", "goal")


def test_an_edit_is_found_by_its_new_words_at_once_and_not_its_old(session: Session) -> None:
    first = _graph()
    save_graph(session, first)
    renamed = dataclasses.replace(first.bet_by_id["mobile"], title="Approvals on phones", tags=("handheld",))
    save_graph(session, dataclasses.replace(first, bets=tuple(renamed if b.id == "mobile" else b for b in first.bets)))
    assert _ids(session, "phones") == ["mobile"]
    assert _ids(session, "handheld") == ["mobile"]
    assert _ids(session, "mobile app") == []
    # one row per item: the old version's words are gone, not shadowed
    assert session.scalar(select(func.count()).select_from(SearchRow)) == 4


def test_a_removed_item_and_a_deleted_graph_are_gone(session: Session) -> None:
    first = _graph()
    save_graph(session, first)
    save_graph(session, _graph("other"))
    without = dataclasses.replace(first, bets=tuple(b for b in first.bets if b.id != "mobile"))
    save_graph(session, without)
    assert _ids(session, "approvals") == ["mobile"]  # only other's
    assert {hit.graph for hit in search.find(session, ["approvals"])} == {"other"}
    row = get_graph_row(session, "other")
    assert row is not None
    delete_graph(session, row)
    assert _ids(session, "approvals") == []
    assert session.scalar(select(func.count()).select_from(SearchRow).where(SearchRow.graph_id == row.id)) == 0
    assert sorted(_ids(session, "payroll")) == ["owners", "vision"]


def test_visibility_and_one_graph(session: Session) -> None:
    save_graph(session, _graph("open", Visibility.PUBLIC))
    save_graph(session, _graph("shut"))
    shut = get_graph_row(session, "shut")
    assert shut is not None

    def graphs(**options: object) -> set[str]:
        return {hit.graph for hit in search.find(session, ["payroll"], **options)}  # type: ignore[arg-type]

    assert graphs() == {"open", "shut"}
    assert graphs(visible_to=()) == {"open"}
    assert graphs(visible_to=(shut.id,)) == {"open", "shut"}
    assert graphs(graph_id=shut.id) == {"shut"}


def test_past_the_window_the_newest_matches_are_ranked(session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    save_graph(session, _graph("older", Visibility.PUBLIC))
    save_graph(session, _graph("newer", Visibility.PUBLIC))
    everything = search.find(session, ["payroll"])  # 4 matches: two graphs' vision and owners
    assert len(everything) == 4
    monkeypatch.setattr(search, "WINDOW", 2)
    assert {hit.graph for hit in search.find(session, ["payroll"])} == {"newer"}  # the two written last
    assert sorted(_ids(session, "payroll")) == ["owners", "vision"]
    # within one graph, that graph's newest: an older graph is not crowded out by a newer one
    older = get_graph_row(session, "older")
    assert older is not None
    assert {hit.graph for hit in search.find(session, ["payroll"], graph_id=older.id)} == {"older"}
    assert sorted(_ids(session, "payroll", graph_id=older.id)) == ["owners", "vision"]
    # an edit makes an item new again
    first = _graph("older", Visibility.PUBLIC)
    renamed = dataclasses.replace(first.bet_by_id["vision"], title="Payroll in four minutes")
    save_graph(session, dataclasses.replace(first, bets=tuple(renamed if b.id == "vision" else b for b in first.bets)))
    assert ("older", "vision") in {(hit.graph, hit.item_id) for hit in search.find(session, ["payroll"])}


@pytest.mark.parametrize(
    "query",
    [
        '"',
        '"revenue',
        "revenue*",
        "*",
        "NEAR(revenue grow)",
        "revenue OR grow",
        "-revenue",
        "revenue NOT grow",
        "title:revenue",
        "(revenue",
        "revenue & | ! grow",
        "'revenue'",
        "re:*",
        "\\",
        "^revenue",
        "revenue + grow",
        "Ünïcödé 増長 emoji 😀",
        "a" * 300,
        " ".join(["revenue"] * 50),
    ],
)
def test_hostile_queries_are_only_words(session: Session, query: str) -> None:
    save_graph(session, _graph())
    found = _ids(session, query)  # never an error
    if {word.lower() for word in search.words(query)} == {"revenue"}:  # its syntax taken as nothing but spaces
        assert found == ["grow", "mobile"]


def test_words_are_bounded() -> None:
    assert search.words(" ".join(f"w{i}" for i in range(30))) == [f"w{i}" for i in range(search.MAX_WORDS)]
    assert search.words('NEAR("a" b)-c:d_e') == ["NEAR", "a", "b", "c", "d", "e"]
    assert search.fts5_match(["a", 'b"c']) == '"a" "b""c"*'
    assert search.tsquery(["a", "b'c"]) == "'a' & 'b''c':*"
