"""Scene -> Mermaid flowchart, for wikis and READMEs that render Mermaid natively.

Mermaid has no shapes for every kind nor a way to draw a double border, so the label carries
the kind, certainty and prescriptiveness in words; colour and dashes follow the same grammar.
"""

from __future__ import annotations

import json

from app.domain.model import Assumption, Bet
from app.rendering import style
from app.rendering.dot import wrap
from app.rendering.progress import metric_line
from app.rendering.views import Scene
from app.words import percent

# Characters Mermaid reads inside a quoted label; each becomes a #code; entity it prints literally.
_SPECIAL = set('"#&<>`[](){}|\\*_~=:;')


def text(value: str) -> str:
    return "".join(f"#{ord(ch)};" if ch in _SPECIAL else ch for ch in value)


def _marks(scene: Scene, node_id: str) -> list[str]:
    marks = []
    rules = sorted({f.rule for f in scene.findings.get(node_id, ())})
    if rules:
        marks.append("⚠ " + ", ".join(rules))
    if node_id == scene.weakest:
        marks.append("▲ weakest link")
    change = scene.changes.get(node_id)
    if change is not None:
        marks += change.lines
    return marks


def _bet_label(scene: Scene, bet: Bet) -> str:
    lines = [bet.kind.value.upper() + (f" · {bet.team}" if bet.team else "")]
    lines += wrap(bet.title)
    if bet.metric is not None:
        lines.append(metric_line(bet.metric))
    facts = [percent(bet.certainty)]
    if bet.horizon:
        facts.append(bet.horizon.text)
    if bet.prescriptiveness:
        facts.append(bet.prescriptiveness.label)
    if bet.debate in style.DEBATE_MARKERS:
        facts.append(style.DEBATE_MARKERS[bet.debate])
    lines.append(" · ".join(facts))
    return "<br/>".join(text(line) for line in lines + _marks(scene, bet.id))


def _assumption_label(scene: Scene, assumption: Assumption) -> str:
    lines = ["ASSUMPTION", *wrap(assumption.statement, 28), percent(assumption.certainty)]
    return "<br/>".join(text(line) for line in lines + _marks(scene, assumption.id))


def _id(node_id: str, *, assumption: bool = False) -> str:
    # Mermaid reads `-` in an id as the start of an arrow; slugs never contain `_`, so this is unique.
    return f"{'a' if assumption else 'b'}_{node_id.replace('-', '_')}"


def _class(certainty: float | None) -> str:
    if certainty is None:
        return "cu"
    return f"c{min(4, int(certainty * 5))}"


def to_mermaid(scene: Scene) -> str:
    # The front matter is YAML, where a JSON string is a valid double-quoted scalar.
    out = ["---", f"title: {json.dumps(scene.title, ensure_ascii=False)}", "---", "flowchart TB"]
    bands: dict[int, list[str]] = {}
    for bet in scene.bets:
        bands.setdefault(scene.bands[bet.id].index, []).append(f'  {_id(bet.id)}["{_bet_label(scene, bet)}"]')
    for assumption in scene.assumptions:
        node = f'  {_id(assumption.id, assumption=True)}[/"{_assumption_label(scene, assumption)}"/]'
        bands.setdefault(scene.bands[assumption.id].index, []).append(node)
    labels = {band.index: band.label for band in scene.bands.values()}
    for index in sorted(bands):
        out.append(f'  subgraph band{index}["{text(labels[index])}"]')
        out.extend("  " + line for line in bands[index])
        out.append("  end")
    for edge in sorted(scene.edges, key=lambda e: (e.child, e.parent)):
        arrow = "-->" if edge.primary else "-.->"
        out.append(f"  {_id(edge.child)} {arrow} {_id(edge.parent)}")
    for assumption_id, bet_id in sorted(scene.rests_on, key=lambda pair: (pair[1], pair[0])):
        out.append(f"  {_id(assumption_id, assumption=True)} -.- {_id(bet_id)}")
    for edge in scene.was_edges:
        out.append(f"  {_id(edge.child)} -. was .-> {_id(edge.parent)}")
    for assumption_id, bet_id in scene.was_rests_on:
        out.append(f"  {_id(assumption_id, assumption=True)} -. was .- {_id(bet_id)}")
    for index, swatch in enumerate(style.CERTAINTY_RAMP):
        out.append(f"  classDef c{index} fill:{swatch.fill},color:{style.INK}")
    out.append(f"  classDef cu fill:{style.UNKNOWN_FILL},color:{style.INK}")
    out.append("  classDef dashed stroke-dasharray:5 3")
    out.append(f"  classDef lint stroke:{style.LINT},stroke-width:3px")
    if scene.changes:
        out.append(f"  classDef added stroke:{style.ADDED},stroke-width:3px")
        out.append(f"  classDef changed stroke:{style.CHANGED},stroke-width:3px")
        out.append(f"  classDef removed fill:{style.REMOVED_FILL},stroke:{style.REMOVED},stroke-dasharray:5 3")
    nodes = [(_id(b.id), b.certainty, b.id) for b in scene.bets]
    nodes += [(_id(a.id, assumption=True), a.certainty, a.id) for a in scene.assumptions]
    for name, certainty, node_id in nodes:
        out.append(f"  class {name} {_class(certainty)}")
        if node_id in scene.findings:
            out.append(f"  class {name} lint")
        if node_id in scene.changes:
            out.append(f"  class {name} {scene.changes[node_id].kind}")
    for bet in scene.bets:
        if bet.prescriptiveness is not None and bet.prescriptiveness <= 2:
            out.append(f"  class {_id(bet.id)} dashed")
    return "\n".join(out) + "\n"
