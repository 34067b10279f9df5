"""Summaries: a large map draws the many near-term bets under a parent as one node.

A map of thousands of bets is mostly initiatives and hypotheses a few weeks out. Drawn one by
one they make a picture nobody can read and that Graphviz takes minutes over; summarised per
parent ("14 bets: 11 initiatives, 3 hypotheses, 62% on average") the map keeps its story and
its shape. The why, impact and team views, and the JSON and Mermaid formats, show every bet.
"""

from __future__ import annotations

import dataclasses
import statistics
from collections import Counter

from app.rendering.views import Edge, Scene, Summary, summary_id
from app.words import plural

# Maps with more nodes than this are summarised; below it every bet is drawn.
SUMMARISE_FROM = 1_000


def summarise(scene: Scene, threshold: int = SUMMARISE_FROM) -> Scene:
    if scene.view.kind != "map" or scene.size <= threshold or scene.summaries:
        return scene
    shown = {bet.id for bet in scene.bets}
    has_children = {edge.parent for edge in scene.edges}
    nearest = max(scene.bands[bet.id].index for bet in scene.bets)
    groups: dict[str, list[str]] = {}
    for bet in scene.bets:
        if bet.id in has_children or scene.bands[bet.id].index != nearest:
            continue
        if bet.parents and bet.parents[0] in shown:
            groups.setdefault(bet.parents[0], []).append(bet.id)
    groups = {parent: members for parent, members in groups.items() if len(members) > 1}
    if not groups:
        return scene
    gone = {bet_id for members in groups.values() for bet_id in members}
    summaries = []
    for parent, members in sorted(groups.items()):
        bets = [scene.graph.bet_by_id[b] for b in members]
        stated = [b.certainty for b in bets if b.certainty is not None]
        kinds = Counter(b.kind.value for b in bets).most_common()
        summaries.append(
            Summary(
                id=summary_id(parent),
                parent=parent,
                bets=tuple(members),
                kinds=tuple(kinds),
                certainty=statistics.fmean(stated) if stated else None,
                flagged=sum(1 for b in members if b in scene.findings),
            )
        )
    rests_on = tuple(pair for pair in scene.rests_on if pair[1] not in gone)
    still_resting = {assumption for assumption, _ in rests_on}
    resting_before = {assumption for assumption, _ in scene.rests_on}
    assumptions = tuple(a for a in scene.assumptions if a.id in still_resting or a.id not in resting_before)
    kept = {a.id for a in assumptions} | (shown - gone)
    bands = {key: band for key, band in scene.bands.items() if key in kept}
    nearest_band = scene.bands[next(iter(gone))]
    bands |= {summary.id: nearest_band for summary in summaries}
    edges = tuple(edge for edge in scene.edges if edge.child not in gone)
    edges += tuple(Edge(summary.parent, summary.id, True) for summary in summaries)
    described = (
        f"{scene.description}; {plural(len(gone), 'near-term bet')} drawn as "
        f"{plural(len(summaries), 'summary', 'summaries')}"
    )
    return dataclasses.replace(
        scene,
        bets=tuple(bet for bet in scene.bets if bet.id not in gone),
        assumptions=assumptions,
        edges=edges,
        rests_on=rests_on,
        bands=bands,
        findings={key: value for key, value in scene.findings.items() if key in kept},
        summaries=tuple(summaries),
        description=described,
    )
