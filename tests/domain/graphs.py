"""Random valid graphs for round-trip properties, and what a spreadsheet or outline must keep of them."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from app.domain import model as m
from app.formats.document import graph_from_data
from app.formats.problems import DocumentError
from app.formats.tree import slugify

# Titles that trip a naive reader: labels, heading and bullet markers, attribute braces, quotes,
# separators of every CSV dialect, and case-only differences.
AWKWARD = [
    "Setup wizard",
    "setup wizard",
    "Setup Wizard",
    "Goal: more revenue",
    "Solution: x",
    "# not a heading",
    "- not a bullet",
    "C #",
    "##",
    "Use {#braces}",
    "x {}",
    'say "hi"',
    "a,b;c\td",
    "Café crème",
    "日本語",
    "\\",
    "x \\",
]
_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp"), blacklist_characters="\x85"),
    min_size=1,
    max_size=12,
)
titles = st.one_of(st.sampled_from(AWKWARD), _text).map(lambda text: " ".join(text.split())).filter(bool)
words = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9 ._-]{0,10}[A-Za-z0-9]", fullmatch=True)
slugs = st.from_regex(r"[a-z0-9][a-z0-9-]{0,8}", fullmatch=True)
descriptions = st.one_of(
    st.just(""),
    st.sampled_from(["Why:\n- one\n- two", "# Heading\n\ntext", "```\ncode\n```", "\\- escaped", "  indented\nline"]),
    _text.map(str.strip),
)


def _bet_fields(draw: st.DrawFn, with_description: bool) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    choices: dict[str, st.SearchStrategy[Any]] = {
        "certainty": st.one_of(st.floats(0, 1), st.sampled_from([0.0, 0.7, 1.0, 0.3 + 0.0000001])),
        "horizon": st.sampled_from(["6w", "3m", "2q", "1y", "2027-03-31"]),
        "prescriptiveness": st.sampled_from([p.label for p in m.Prescriptiveness]),
        "debate": st.sampled_from([d.value for d in m.Debate]),
        "status": st.sampled_from([s.value for s in m.Status]),
        "review_by": st.sampled_from(["2026-12-01", "2027-01-15"]),
        "owner": words,
        "team": words,
        "tags": st.lists(words, max_size=3),
        "links": st.lists(st.sampled_from(["https://x.example/a,b", "http://wiki.example/p?q=1"]), max_size=2),
        "verdict": st.sampled_from(["worked", 'line one\nline "two"']),
    }
    if with_description:
        choices["description"] = descriptions
    for name, strategy in choices.items():
        if draw(st.booleans()):
            fields[name] = draw(strategy)
    return fields


@st.composite
def graphs(draw: st.DrawFn, *, assumptions: bool = False, descriptions: bool = True) -> m.Graph:
    count = draw(st.integers(1, 12))
    # "" stands for the id the title would give, the common case of a graph read from a sheet.
    ids = draw(st.lists(st.one_of(slugs, st.just("")), min_size=count, max_size=count))
    bets: list[dict[str, Any]] = []
    used: set[str] = set()
    for index in range(count):
        title = draw(titles)
        bet_id = ids[index] or slugify(title, "bet")
        if bet_id in used:
            bet_id = f"b{index}-{bet_id}"[:60]
        used.add(bet_id)
        parents: list[str] = []
        if index and draw(st.integers(0, 4)):
            parents.append(bets[draw(st.integers(0, index - 1))]["id"])
            if index > 1 and draw(st.integers(0, 5)) == 0:
                other = bets[draw(st.integers(0, index - 1))]["id"]
                if other not in parents:
                    parents.append(other)
        bets.append(
            {
                "id": bet_id,
                "kind": draw(st.sampled_from([kind.value for kind in m.Kind])),
                "title": title,
                "parents": parents,
                **_bet_fields(draw, descriptions),
            }
        )
    found: list[dict[str, Any]] = []
    if assumptions:
        for index in range(draw(st.integers(0, 4))):
            statement = draw(titles)
            assumption_id = f"a{index}" if draw(st.booleans()) else slugify(statement, "assumption")
            if assumption_id in used:
                assumption_id = f"a{index}-x"
            used.add(assumption_id)
            found.append({"id": assumption_id, "statement": statement})
            if draw(st.booleans()):
                found[-1] |= {"certainty": draw(st.floats(0, 1)), "importance": draw(st.integers(1, 5))}
            for bet in draw(st.lists(st.sampled_from(bets), max_size=3, unique_by=lambda bet: bet["id"])):
                bet.setdefault("assumes", []).append(assumption_id)
    document = {"betgraph": 1, "graph": {"slug": "g", "title": draw(titles)}, "bets": bets, "assumptions": found}
    try:
        return graph_from_data(document)
    except DocumentError as error:  # pragma: no cover - the strategy should only make valid graphs
        raise AssertionError(f"{error}\n{document}") from None


def tree_of(graph: m.Graph, *, all_parents: bool = True) -> dict[str, tuple[Any, ...]]:
    """Each bet's kind, title and parents (or primary parent), by id."""
    return {bet.id: (bet.kind, bet.title, bet.parents if all_parents else bet.parents[:1]) for bet in graph.bets}


def fields_of(graph: m.Graph, *, description: bool) -> dict[str, tuple[Any, ...]]:
    def text(value: str) -> str:
        lines = [line if line.strip() else "" for line in value.split("\n")]
        return "\n".join(lines).strip("\n") if description else value.strip()

    return {
        bet.id: (
            bet.horizon,
            bet.certainty,
            bet.prescriptiveness,
            bet.debate,
            bet.review_by,
            bet.status,
            bet.owner,
            bet.team,
            bet.tags,
            bet.links,
            bet.verdict,
            text(bet.description),
        )
        for bet in graph.bets
    }
