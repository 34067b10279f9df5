"""The lenses as Mermaid: the text itself (order, escaping, limits), then every lens of the examples,
a hostile graph and a 2,000-bet board drawn by the real mermaid-cli in one run for the module.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from dataclasses import dataclass

import pytest
from lxml import etree

from app.domain.lenses import (
    COLUMNS,
    Board,
    Card,
    Column,
    Lane,
    Marks,
    Quadrant,
    assumption_map,
    board,
    portfolio,
)
from app.domain.model import Assumption, Bet, Debate, Graph, Horizon, Kind
from app.domain.synthetic import synthetic_graph
from app.formats.document import load
from app.rendering.lens_mermaid import (
    NAME_WIDTHS,
    assumptions_mermaid,
    board_mermaid,
    portfolio_mermaid,
    shorten,
)
from app.rendering.lenses import named
from app.rendering.mermaid import MAX_TEXT, MermaidTheme, MermaidTooLargeError, body_size
from tests.domain.builders import TODAY, assumption, bet, graph
from tests.realclients import mermaid_drawn
from tests.rendering.test_mermaid_client import HOSTILE, TEAM, _hostile
from tests.servers import ROOT

NAME = NAME_WIDTHS[0]  # how much of a name a chart that fits shows
LISTY = ("- starts like a list", "1. starts numbered", "+ plus www.example.com a@b.org <https://x.y>")
COORDINATE = r"(?:1|0(?:\.\d+)?)"
POINT = re.compile(rf'^  "([^"\n]*)"(?::::(\w+))?: \[({COORDINATE}), ({COORDINATE})\]$')


def _load(name: str) -> Graph:
    return load((ROOT / "examples" / name).read_text())[0]


def _nasty() -> Graph:
    """The flowcharts' hostile graph, with a statement for each hostile text and titles that
    Markdown would read as a list."""
    base = _hostile()
    statements = (*HOSTILE, "\n\t ", "line one\nline two\u2028three %% -->")
    assumptions = tuple(
        Assumption(id=f"hostile-{n}", statement=s, importance=1 + n % 5) for n, s in enumerate(statements)
    )
    listy = tuple(
        Bet(
            id=f"listy-{n}",
            kind=Kind.INITIATIVE,
            title=title,
            parents=("vision",),
            horizon=Horizon.parse("2y"),
            certainty=0.9,
            team=TEAM,
            debate=Debate.CONTESTED,
            rank=n,
            assumes=tuple(a.id for a in assumptions),
        )
        for n, title in enumerate(LISTY, start=1)
    )
    return dataclasses.replace(base, bets=(*base.bets, *listy), assumptions=(*base.assumptions, *assumptions))


def _items(source: str) -> list[tuple[str, str]]:
    """(column, card id) of each kanban card, in the source's order."""
    found, column = [], ""
    for line in source.split("\nkanban\n", 1)[1].splitlines():
        if match := re.match(r"^  (col_\w+)\[", line):
            column = match.group(1)
        elif match := re.match(r"^    (c_[\w-]+|more_\w+)\[", line):
            found.append((column, match.group(1)))
    return found


def _points(source: str) -> list[tuple[str, str | None, float, float]]:
    points = []
    for line in source.splitlines():
        if line.startswith('  "') and "]" in line and not line.startswith(('  "x', '  "y')):
            match = POINT.match(line)
            assert match, line
            points.append((match.group(1), match.group(2), float(match.group(3)), float(match.group(4))))
    return points


# --- the text ------------------------------------------------------------------------------------


def test_the_board_is_a_kanban_of_four_columns_in_stack_rank_order() -> None:
    acme = _load("acme.yaml")
    found = board(acme, TODAY)
    source = board_mermaid(found, "light")

    front = '---\ntitle: "Acme product map: Now, Next, Later"\nconfig:\n  theme: default\n---\nkanban\n'
    assert source.startswith(front)
    assert re.findall(r"^  (col_\w+)\[", source, re.M) == [f"col_{c.value}" for c in COLUMNS]
    expected = [(f"col_{c.value}", f"c_{card.id}") for c in COLUMNS for lane in found.lanes for card in lane.cards[c]]
    assert _items(source) == expected
    # kanban has no swimlanes: a comment says so, and every card of a team names it
    assert "kanban has no swimlanes" in source
    card = found.lanes[0].cards[Column.NOW][0]
    assert f'@{{ assigned: "{card.team}", ticket: "{card.id}" }}' in source


def test_a_card_says_its_kind_certainties_debate_and_lint_marks() -> None:
    card = Card(
        id="x",
        title="Ship it",
        kind=Kind.INITIATIVE,
        column=Column.NOW,
        team="",
        rank=2,
        certainty=0.7,
        chain_certainty=0.0035,
        prescriptiveness=None,
        debate=Debate.OPEN,
        marks=Marks(errors=1, warnings=2),
        serves=None,
    )
    lanes = (Lane("", {c: (card,) if c is Column.NOW else () for c in COLUMNS}),)
    source = board_mermaid(Board("T", TODAY, None, lanes), "dark")

    assert "  theme: dark\n" in source
    assert (
        '    c_x["Ship it\ninitiative · rank 2 · 70#37; sure · chain 0.35#37;\n◇ open for debate\n'
        '⚠ 1 error, 2 warnings"]@{ ticket: "x" }\n'
    ) in source
    assert "swimlanes" not in source  # one lane: nothing to explain
    assert '  col_now["Now · ≤ 6 weeks · 1"]' in source


def test_hostile_text_stays_inside_its_quotes_and_never_reads_as_markdown_or_a_directive() -> None:
    nasty = _nasty()
    sources = [
        board_mermaid(board(nasty, TODAY), "light"),
        assumptions_mermaid(assumption_map(nasty, TODAY), "light"),
        portfolio_mermaid(portfolio(nasty, TODAY), "light"),
    ]
    for source in sources:
        body = source.split("\n---\n", 1)[1]
        # every quoted string closes on the line it opens on, or (a card's lines) before its metadata
        for line in body.splitlines():
            if not line.lstrip().startswith("%%"):
                assert "%%" not in line, line
        assert "-->" not in body.replace('" --> "', "")
        assert "<" not in body
        assert "[x]" not in body
        assert "\u2028" not in body
    board_source = sources[0]
    assert '["+ plus www.example.com a@b.org #60;https#58;//x.y#62;\n' in board_source
    # a statement with nothing to show is named by its id; newlines and separators become spaces
    names = [name for name, *_ in _points(sources[1])]
    assert "hostile-4" in names
    assert "line one line two three #37;#37; --#62;" in names


def test_a_too_large_board_shows_its_top_ranked_cards_and_counts_the_rest() -> None:
    large = board(synthetic_graph(2_000), TODAY)
    source = board_mermaid(large, "light")

    assert body_size(source) <= MAX_TEXT
    assert "summarised to fit Mermaid" in source
    shown = {card for _, card in _items(source) if card.startswith("c_")}
    more = re.findall(r'\["\+ (\d+) more\n', source)
    assert len(shown) + sum(map(int, more)) == len(large.cards)
    for lane in large.lanes:
        for column in COLUMNS:
            cards = [f"c_{card.id}" for card in lane.cards[column]]
            kept = [card for card in cards if card in shown]
            assert kept == cards[: len(kept)]  # the top of the stack, in its order


def test_a_board_beyond_every_summary_is_refused_with_what_to_draw_instead() -> None:
    card = Card("x", "X", Kind.INITIATIVE, Column.NOW, "t", None, None, 0.5, None, None, Marks(), None)
    lanes = tuple(
        Lane(
            f"team {n}",
            {
                c: tuple(dataclasses.replace(card, id=f"x-{n}-{c.value}-{i}", team=f"team {n}") for i in "ab")
                for c in COLUMNS
            },
        )
        for n in range(400)
    )
    expected = (
        "this board has 3200 cards in 400 lanes, more than Mermaid draws (at most 50,000 characters), "
        "even with only a count of the cards per team and column. Draw it as SVG or PNG instead, or one team's board."
    )
    with pytest.raises(MermaidTooLargeError, match=re.escape(expected)):
        board_mermaid(Board("T", TODAY, None, lanes), "light")


def test_the_assumption_map_puts_each_quadrant_in_its_corner() -> None:
    items = [
        assumption("leap", importance=5),  # important, no evidence: test first
        assumption("undecided"),  # importance 3: less important
        assumption("low", importance=1),
    ]
    source = assumptions_mermaid(assumption_map(graph(*items), TODAY), "light")

    assert '  x-axis "Little evidence" --> "Strong evidence"' in source
    assert '  y-axis "Less important" --> "Important"' in source
    # Mermaid's quadrant-1 is top right, then counter-clockwise
    assert (
        '  quadrant-1 "Keep an eye on"\n  quadrant-2 "Test first"\n  quadrant-3 "Defer"\n  quadrant-4 "Ignore"'
        in source
    )
    points = {name: (x, y) for name, _, x, y in _points(source)}
    assert points["We believe that leap"] == (0.1, 0.9)
    assert points["We believe that undecided"] == (0.1, 0.44)  # just under the midline
    assert points["We believe that low"] == (0.1, 0.1)


def test_points_on_one_spot_are_spread_within_their_quadrant_the_same_way_every_time() -> None:
    items = [assumption(f"a{n}", importance=4) for n in range(30)]
    amap = assumption_map(graph(*items), TODAY)
    source = assumptions_mermaid(amap, "light")

    points = [(x, y) for _, _, x, y in _points(source)]
    assert len(set(points)) == 30
    assert all(x <= 0.44 and y >= 0.56 for x, y in points)  # all still "test first"
    assert all(p.quadrant is Quadrant.TEST_FIRST for p in amap.points)
    assert assumptions_mermaid(amap, "light") == source


def test_names_that_would_cover_each_other_move_a_line_up_or_down() -> None:
    items = [assumption(f"a{n}", importance=2) for n in range(6)]
    source = assumptions_mermaid(assumption_map(graph(*items), TODAY), "light")

    points = [(x, y) for _, _, x, y in _points(source)]
    assert {x for x, _ in points} == {0.1}
    ys = sorted(y for _, y in points)
    assert all(round(b - a, 3) >= 0.03 for a, b in itertools.pairwise(ys))
    assert all(0.1 <= y <= 0.44 for y in ys)


def test_long_statements_are_cut_at_a_space_and_names_shorten_to_fit() -> None:
    assert shorten("We believe owners finish setup when they can see the end", 30) == "We believe owners finish…"
    assert shorten("x" * 40, 10) == "xxxxxxxxx…"
    items = [assumption(f"a{n}", statement="We believe " + "very " * 40 + str(n)) for n in range(500)]
    source = assumptions_mermaid(assumption_map(graph(*items), TODAY), "light")
    assert body_size(source) <= MAX_TEXT
    assert max(len(name) for name, *_ in _points(source)) < NAME


def test_the_portfolio_bends_its_axes_at_the_lint_thresholds_and_counts_what_it_leaves_out() -> None:
    bets = [
        bet("v", Kind.VISION, horizon="5y", certainty=0.9),  # far out and sure
        bet("soon", Kind.INITIATIVE, ["v"], horizon="6w", certainty=0.2),
        bet("at-the-line", Kind.INITIATIVE, ["v"], horizon="1y", certainty=0.8),
        bet("unsure", Kind.INITIATIVE, ["v"], horizon="2y"),  # no certainty
    ]
    found = portfolio(graph(*bets), TODAY)
    source = portfolio_mermaid(found, "light")

    assert "(1 not drawn: no horizon or no certainty)" in source.split("\n")[1]
    assert "  %% 1 bet left out: no certainty stated" in source
    assert '  quadrant-1 "Sure and far out"' in source
    assert '  x-axis "Pays off soon" --> "Far out#58; beyond 365 days"' in source
    points = {name: (x, y) for name, _, x, y in _points(source)}
    assert points["V"] == (0.9, 0.73)  # 90% is halfway from 80% to 100%
    assert points["At the line"] == (0.44, 0.56)  # a year is not beyond a year; 80% is sure
    assert points["Soon"][0] < 0.15
    assert points["Soon"][1] < 0.2


def test_a_portfolio_too_large_for_mermaid_is_refused_clearly() -> None:
    expected = (
        r"this portfolio has 1999 bets, more than Mermaid draws .* even with names cut to 16 characters\. "
        r"Draw it as SVG instead, or one team's portfolio\."
    )
    with pytest.raises(MermaidTooLargeError, match=expected):
        portfolio_mermaid(portfolio(synthetic_graph(2_000), TODAY), "light")


# --- the real mermaid-cli ------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    name: str
    source: str
    expected: tuple[str, ...]  # texts that must appear literally in the picture


def _cases() -> list[Case]:
    themes: tuple[MermaidTheme, ...] = ("light", "dark")
    cases = []
    for number, item in enumerate((_load("acme.yaml"), _load("failures.yaml"), _nasty())):
        theme = themes[number % 2]
        found = board(item, TODAY)
        texts = [lane.label for lane in found.lanes if lane.team] + [c.title for c in found.cards]
        cases.append(Case(f"{item.slug}-board", board_mermaid(found, theme), tuple(texts)))
        amap = assumption_map(item, TODAY)
        names = [shorten(p.statement, NAME) or p.id for p in amap.points]
        cases.append(Case(f"{item.slug}-assumptions", assumptions_mermaid(amap, theme), (named(amap)[0], *names)))
        placed = portfolio(item, TODAY)
        names = [shorten(b.title, NAME) for b in placed.bets if b.days is not None and b.certainty is not None]
        cases.append(
            Case(
                f"{item.slug}-portfolio",
                portfolio_mermaid(placed, themes[1 - number % 2]),
                (named(placed)[0], *names),
            )
        )
    large = board(synthetic_graph(2_000), TODAY)
    cases.append(Case("synthetic-board", board_mermaid(large, "light"), ("+ ", "more")))
    return cases


Drawn = dict[str, tuple[Case, etree._Element]]


@pytest.fixture(scope="module")
def drawn(tmp_path_factory: pytest.TempPathFactory) -> Drawn:
    cases = _cases()
    drawn = mermaid_drawn([case.source for case in cases], tmp_path_factory.mktemp("lens-mermaid"))
    return {case.name: (case, svg) for case, svg in zip(cases, drawn, strict=True)}


def _squeeze(value: str) -> str:
    return re.sub(r"[\s\u2060]", "", value)


def _texts(svg: etree._Element) -> list[str]:
    found = ["".join(map(str, el.itertext())) for el in svg.iter("{*}text")]
    return found + ["".join(map(str, el.itertext())) for el in svg.iter("{*}foreignObject")]


def _every_lens_parses_and_shows_its_titles_and_names_literally(drawn: Drawn) -> None:
    assert len(drawn) == 10
    for name, (case, svg) in drawn.items():
        texts = [_squeeze(t) for t in _texts(svg)]
        everything = " ".join(texts)
        assert "Syntax error" not in everything, name
        assert "Maximum text size" not in everything, name
        assert "Unsupported markdown" not in everything, name
        for expected in case.expected:
            assert any(_squeeze(expected) in t for t in texts), (name, expected)


def _markdown_never_turns_a_title_into_a_list(drawn: Drawn) -> None:
    _, svg = drawn["hostile-board"]
    assert not list(svg.iter("{*}li"))
    assert not [el for el in svg.iter() if el.tag.rsplit("}", 1)[-1] in ("ul", "ol", "a", "code", "h1", "hr")]


def _the_quadrants_sit_in_their_corners(drawn: Drawn) -> None:
    _, svg = drawn["acme-assumptions"]
    where = {}
    for quadrant in svg.iter("{*}g"):
        if quadrant.get("class") == "quadrant":
            label = next(quadrant.iter("{*}text"))
            x, y = map(float, re.findall(r"[-\d.]+", label.get("transform", ""))[:2])
            where["".join(map(str, label.itertext()))] = (x, y)
    left, right = sorted({x for x, _ in where.values()})
    top, bottom = sorted({y for _, y in where.values()})
    assert where == {
        "Test first": (left, top),
        "Keep an eye on": (right, top),
        "Defer": (left, bottom),
        "Ignore": (right, bottom),
    }


def _points_are_visible_in_both_themes(drawn: Drawn) -> None:
    for name in ("acme-assumptions", "failures-assumptions", "acme-portfolio", "failures-portfolio"):
        _, svg = drawn[name]
        points = [g for g in svg.iter("{*}g") if g.get("class") == "data-point"]
        circles = [circle for point in points for circle in point.iter("{*}circle")]
        assert circles, name
        for circle in circles:
            assert re.fullmatch(r"#[0-9a-fA-F]{6}", circle.get("fill", "")), (name, circle.get("fill"))


def _the_large_board_is_summarised_within_mermaids_limits(drawn: Drawn) -> None:
    case, svg = drawn["synthetic-board"]
    assert body_size(case.source) <= MAX_TEXT
    cards = [g for g in svg.iter("{*}g") if "node" in (g.get("class") or "") and "-c_" in (g.get("id") or "")]
    assert 100 < len(cards) < 400


def test_mermaid_cli_draws_every_lens(drawn: Drawn) -> None:
    """One test over the one mmdc run: tests of their own would each start it again on another
    worker (mmdc and its Chromium take some ten seconds)."""
    _every_lens_parses_and_shows_its_titles_and_names_literally(drawn)
    _markdown_never_turns_a_title_into_a_list(drawn)
    _the_quadrants_sit_in_their_corners(drawn)
    _points_are_visible_in_both_themes(drawn)
    _the_large_board_is_summarised_within_mermaids_limits(drawn)
