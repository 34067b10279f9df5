"""Scene -> JSON: the same view as the pictures, for scripts and the viewer."""

from __future__ import annotations

import json
from typing import Any

from app.domain.model import Metric
from app.rendering.progress import metric_line, progress
from app.rendering.views import Scene


def _metric(metric: Metric | None) -> dict[str, Any] | None:
    if metric is None:
        return None
    fraction = progress(metric)
    return {
        "name": metric.name,
        "unit": metric.unit,
        "direction": metric.direction.value,
        "baseline": metric.baseline,
        "target": metric.target,
        "current": metric.current,
        "progress": None if fraction is None else round(fraction, 6),
        "checkins": len(metric.checkins),
        "checked_on": metric.latest.date.isoformat() if metric.latest else None,
        "line": metric_line(metric),  # what the pictures print, for a caption or alt text
    }


def scene_data(scene: Scene) -> dict[str, Any]:
    return {
        "graph": scene.graph.slug,
        "title": scene.title,
        "description": scene.description,
        "view": {"kind": scene.view.kind, "focus": scene.view.focus},
        "as_of": scene.as_of.isoformat(),
        "bets": [
            {
                "id": bet.id,
                "kind": bet.kind.value,
                "title": bet.title,
                "band": scene.bands[bet.id].label,
                "certainty": bet.certainty,
                "chain_certainty": round(scene.support.value[bet.id], 6),
                "prescriptiveness": bet.prescriptiveness.label if bet.prescriptiveness else None,
                "debate": bet.debate.value if bet.debate else None,
                "status": bet.status.value,
                "team": bet.team,
                "focus": bet.id in scene.focus,
                "metric": _metric(bet.metric),
            }
            for bet in scene.bets
        ],
        "assumptions": [
            {
                "id": a.id,
                "statement": a.statement,
                "band": scene.bands[a.id].label,
                "certainty": a.certainty,
                "debate": a.debate.value if a.debate else None,
            }
            for a in scene.assumptions
        ],
        "edges": [{"parent": e.parent, "child": e.child, "primary": e.primary} for e in scene.edges],
        "rests_on": [{"assumption": a, "bet": b} for a, b in scene.rests_on],
        "findings": [
            {"rule": f.rule, "severity": f.severity.label, "ids": list(f.ids), "message": f.message}
            for subject in sorted(scene.findings)
            for f in scene.findings[subject]
        ],
        "path": list(scene.path),
        "weakest": scene.weakest,
    }


def to_json(scene: Scene) -> str:
    return json.dumps(scene_data(scene), ensure_ascii=False, indent=2) + "\n"
