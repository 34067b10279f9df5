"""Every Mermaid output of the examples, drawn by the real mermaid-cli (Mermaid 11 in Debian's chromium).

mermaid-cli is started once for the whole module: it draws every ```mermaid block of one Markdown
file into its own SVG. Each picture must parse, keep every title literally (Mermaid's sanitiser
ate `<draft>` and printed `&amp;` before), stack its bands longest on top with parents above
what contributes to them, and keep label text readable on node fills in both themes.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

import pytest
from lxml import etree

from app.domain.model import Assumption, Bet, Graph, Horizon, Kind, Metric
from app.domain.synthetic import synthetic_graph
from app.formats.document import load
from app.rendering.mermaid import MAX_EDGES, MAX_TEXT, MermaidTheme, text_size, to_mermaid
from app.rendering.views import Scene, View, select, select_diff
from tests.domain.builders import TODAY
from tests.realclients import mermaid_drawn
from tests.servers import ROOT

HOSTILE = (
    "Churn <5% by Q3 <draft> & A<B",
    '"quoted" \'single\' `tick` #1 #35; %%{init: {"theme": "forest"}}%% 50%',
    "a -- b --> c: d ::: e; [x] {y} (z) | \\N &amp; &lt;b&gt; ﬂ°°60¶ß",
    "naïve 日本語 emoji 🚀 — “curly” end",
)
TEAM = 'Team <draft> & "A<B" #2'


@dataclass(frozen=True)
class Case:
    name: str
    scene: Scene
    theme: MermaidTheme
    expected: tuple[str, ...]  # texts that must appear literally in some label of the picture


def _hostile() -> Graph:
    bets = [Bet(id="vision", kind=Kind.VISION, title=HOSTILE[0], horizon=Horizon.parse("5y"), certainty=0.7)]
    for number, title in enumerate(HOSTILE[1:], start=1):
        bets.append(
            Bet(
                id=f"bet-{number}",
                kind=Kind.INITIATIVE,
                title=title,
                parents=("vision",),
                horizon=Horizon.parse("6w"),
                certainty=0.1 * number,
                team=TEAM,
                assumes=("hostile",),
                metric=Metric(name=f"signups <b>{number}</b> & more", unit="%", baseline=10, target=40, current=31),
            )
        )
    return Graph(
        slug="hostile",
        title=HOSTILE[0],
        as_of=TODAY,
        bets=tuple(bets),
        assumptions=(Assumption(id="hostile", statement=HOSTILE[2], certainty=0.4),),
    )


def _later(graph: Graph) -> Graph:
    first, second = graph.bets[-1], graph.bets[-2]
    bets = [b for b in graph.bets if b.id != first.id]
    bets = [dataclasses.replace(b, certainty=0.05, title=b.title + " <v2>") if b.id == second.id else b for b in bets]
    return dataclasses.replace(graph, bets=tuple(bets))


def _cases() -> list[Case]:
    """Every view of the acme example (each of its teams) and the hostile graph, each in both themes;
    the failures example's views once each.

    mermaid-cli opens a page and loads Mermaid afresh for each picture (about a second of CPU):
    the failures example adds its findings' marks, which look the same in either theme.
    """
    acme = load((ROOT / "examples" / "acme.yaml").read_text())[0]
    failures = load((ROOT / "examples" / "failures.yaml").read_text())[0]
    hostile = _hostile()
    themes: tuple[MermaidTheme, ...] = ("light", "dark")
    acme_views = [
        View(),
        View("why", acme.bets[-1].id),
        View("impact", acme.assumptions[0].id),
        *(View("team", team) for team in acme.teams),
        View("diff", "r1 → r2"),
    ]
    chosen: list[tuple[Graph, View, MermaidTheme]] = [
        *((acme, view, theme) for view in acme_views for theme in themes),
        (failures, View(), "light"),
        (failures, View("why", failures.bets[-1].id), "dark"),
        (failures, View("impact", failures.bets[0].id), "light"),
        (failures, View("diff", "r1 → r2"), "light"),
        *((hostile, view, theme) for view in (View(), View("team", TEAM)) for theme in themes),
    ]
    cases = []
    for graph, view, theme in chosen:
        later = _later(graph) if view.kind == "diff" else None
        scene = select(graph, view, TODAY) if later is None else select_diff(graph, later, view, TODAY)
        expected = _titles(scene) + ((TEAM, "≤ 6 weeks", "> 1 year") if graph is hostile else ())
        cases.append(Case(f"{graph.slug}-{view.kind}-{view.focus}-{theme}", scene, theme, expected))
    return cases


def _titles(scene: Scene) -> tuple[str, ...]:
    return (scene.title, *(b.title for b in scene.bets), *(a.statement for a in scene.assumptions))


def _squeeze(value: str) -> str:
    # Lines are broken at spaces (and after hyphens) and phrases joined by no-break spaces.
    return re.sub(r"[\s\u2060]", "", value)


def _labels(svg: etree._Element) -> list[str]:
    """The text of the title and of each node's, band's and link's label, as a reader sees it."""
    found = ["".join(map(str, el.itertext())) for el in svg.iter("{*}text")]
    found += ["".join(map(str, el.itertext())) for el in svg.iter("{*}foreignObject")]
    return found


def _colour(style: str, name: str) -> str | None:
    match = re.search(rf"(?:^|;|\s){name}:\s*(#[0-9a-fA-F]{{6}})", style)
    return match.group(1).lower() if match else None


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(one: str, other: str) -> float:
    high, low = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (high + 0.05) / (low + 0.05)


Drawn = dict[str, tuple[Case, str, etree._Element]]


@pytest.fixture(scope="module")
def drawn(tmp_path_factory: pytest.TempPathFactory) -> Drawn:
    cases = _cases()
    large = select(synthetic_graph(1_500), View(), TODAY)
    cases.append(Case("synthetic-1500", large, "light", (large.title,)))
    sources = [to_mermaid(case.scene, case.theme) for case in cases]
    drawn = mermaid_drawn(sources, tmp_path_factory.mktemp("mermaid"))
    return {case.name: (case, source, svg) for case, source, svg in zip(cases, sources, drawn, strict=True)}


def _every_picture_parses_and_shows_its_titles_literally(drawn: Drawn) -> None:
    assert len(drawn) == 23
    for name, (case, _, svg) in drawn.items():
        labels = [_squeeze(label) for label in _labels(svg)]
        everything = " ".join(labels)
        assert "Syntax error" not in everything, name
        assert "Maximum text size" not in everything, name
        for expected in case.expected:
            assert any(_squeeze(expected) in label for label in labels), (name, expected)


def _the_front_matter_title_is_the_pictures_title(drawn: Drawn) -> None:
    for name, (case, _, svg) in drawn.items():
        titles = [
            "".join(map(str, el.itertext())) for el in svg.iter("{*}text") if el.get("class") == "flowchartTitleText"
        ]
        assert titles == [case.scene.title], name


def _metric_phrases_stay_whole(drawn: Drawn) -> None:
    _, _, svg = drawn["hostile-map-None-dark"]
    lines = [line for el in svg.iter("{*}p") for line in re.split(r"<br\s*/?>", etree.tostring(el, encoding=str))]
    text = "\n".join(re.sub(r"<[^>]+>", "", line) for line in lines)
    # each phrase on one line, and with no-break spaces: the browser cannot break it either
    assert "31\u00a0of\u00a010\u00a0→\u00a040\u00a0%" in text
    assert "70%\u00a0■■■■□" in text


def _bands_stack_longest_on_top_and_parents_sit_above(drawn: Drawn) -> None:
    for name in ("acme-map-None-light", "acme-why-account-verification-dark"):
        case, _, svg = drawn[name]
        tops = {}
        for cluster in svg.iter("{*}g"):
            if cluster.get("class") == "cluster":
                rect = next(cluster.iter("{*}rect"))
                tops[cluster.get("id", "").rsplit("-", 1)[-1]] = float(rect.get("y", "0"))
        present = sorted(tops)
        assert [tops[band] for band in present] == sorted(tops.values()), name  # band0 highest
        centre = {}
        for node in svg.iter("{*}g"):
            match = re.search(r"flowchart-(\w+)-\d+$", node.get("id", ""))
            if match and "node" in (node.get("class") or ""):
                centre[match.group(1)] = float(re.findall(r"[-\d.]+", node.get("transform", ""))[1])
        for edge in case.scene.edges:
            parent, child = "b_" + edge.parent.replace("-", "_"), "b_" + edge.child.replace("-", "_")
            assert centre[parent] < centre[child], (name, edge)


def _label_text_is_readable_on_every_node(drawn: Drawn) -> None:
    checked = 0
    for name, (_, _, svg) in drawn.items():
        for node in svg.iter("{*}g"):
            if "node" not in (node.get("class") or "").split():
                continue
            fills = [_colour(el.get("style", ""), "fill") for el in node.iter() if el.get("style")]
            inks = [_colour(el.get("style", ""), "color") for el in node.iter("{*}span")]
            fill = next((f for f in fills if f), None)
            ink = next((i for i in inks if i), None)
            assert fill, name
            assert ink, name
            assert contrast(fill, ink) >= 4.5, (name, fill, ink)
            checked += 1
    assert checked > 150


def _a_large_map_is_summarised_within_mermaids_limits(drawn: Drawn) -> None:
    case, source, svg = drawn["synthetic-1500"]
    body = source.split("\n---\n", 1)[1]
    assert text_size(body) <= MAX_TEXT
    assert len(re.findall(r" (?:-->|-\.->|-\.-|-\. was \.->|-\. was \.-) ", body)) <= MAX_EDGES
    assert "SUMMARY" in body
    assert case.scene.size > 1_500
    assert sum(1 for g in svg.iter("{*}g") if "node" in (g.get("class") or "").split()) > 20


def test_mermaid_cli_draws_every_view(drawn: Drawn) -> None:
    """One test over the one mmdc run: tests of their own would each start it again on another
    worker (mmdc and its Chromium take some twenty seconds for these pictures)."""
    _every_picture_parses_and_shows_its_titles_literally(drawn)
    _the_front_matter_title_is_the_pictures_title(drawn)
    _metric_phrases_stay_whole(drawn)
    _bands_stack_longest_on_top_and_parents_sit_above(drawn)
    _label_text_is_readable_on_every_node(drawn)
    _a_large_map_is_summarised_within_mermaids_limits(drawn)
