"""HTML form fields <-> the document's item data, and validation problems -> the field they concern.

A form always carries every field, so an edit is sent as a whole item: empty fields become
None, which the merge patch (`app.services.edits.merge_patch`) reads as "remove".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from app.domain.model import Prescriptiveness
from app.formats.problems import Problem

BET_TEXT = ("title", "kind", "description", "horizon", "prescriptiveness", "debate", "review_by", "status", "owner")
BET_MORE = ("team", "verdict", "learned")
METRIC = ("name", "unit", "direction", "baseline", "target", "current")
ASSUMPTION_TEXT = ("statement", "category", "debate", "review_by")
EVIDENCE = ("kind", "summary", "level", "direction", "url", "date")
_LIST_SPLIT = re.compile(r"[,\n]")


def _text(form: Mapping[str, str], name: str) -> str | None:
    value = form.get(name, "").strip()
    return value or None


def _number(form: Mapping[str, str], name: str) -> float | str | None:
    """A number when it reads as one; otherwise the text itself, for the validator to name."""
    value = _text(form, name)
    if value is None:
        return None
    try:
        number = float(value)
    except ValueError:
        return value
    return int(number) if number.is_integer() and "." not in value else number


def _certainty(form: Mapping[str, str], name: str) -> float | str | None:
    value = _text(form, name)
    if value is None or value.endswith("%"):
        return value  # the document reads "70%" itself
    return _number(form, name)


def number_text(text: str) -> float | str | None:
    return _number({"value": text}, "value")


def certainty_text(text: str) -> float | str | None:
    return _certainty({"value": text}, "value")


def _list(form: Mapping[str, str], name: str) -> list[str] | None:
    items = [part.strip() for part in _LIST_SPLIT.split(form.get(name, "")) if part.strip()]
    return items or None


def _lines(form: Mapping[str, str], name: str) -> list[str] | None:
    items = [line.strip() for line in form.get(name, "").splitlines() if line.strip()]
    return items or None


def bet_from_form(form: Mapping[str, str]) -> dict[str, Any]:
    data: dict[str, Any] = {name: _text(form, name) for name in (*BET_TEXT, *BET_MORE)}
    data["certainty"] = _certainty(form, "certainty")
    data["parents"] = _list(form, "parents")
    data["assumes"] = _list(form, "assumes")
    data["tags"] = _list(form, "tags")
    data["links"] = _lines(form, "links")
    if data["status"] is None:
        data["status"] = "proposed"
    metric: dict[str, Any] = {name: _text(form, f"metric.{name}") for name in ("name", "unit", "direction")}
    metric |= {name: _number(form, f"metric.{name}") for name in ("baseline", "target", "current")}
    data["metric"] = {k: v for k, v in metric.items() if v is not None} or None
    return data


def assumption_from_form(form: Mapping[str, str]) -> dict[str, Any]:
    data: dict[str, Any] = {name: _text(form, name) for name in ASSUMPTION_TEXT}
    data["certainty"] = _certainty(form, "certainty")
    data["importance"] = _number(form, "importance")
    evidence = []
    for index in range(_rows(form)):
        if form.get(f"evidence.{index}.remove"):
            continue
        entry = {name: _text(form, f"evidence.{index}.{name}") for name in EVIDENCE}
        if not entry["summary"] and not entry["url"]:
            continue  # the blank row kept for adding one
        evidence.append({k: v for k, v in entry.items() if v is not None})
    data["evidence"] = evidence or None
    return data


def _rows(form: Mapping[str, str]) -> int:
    indices = [int(m.group(1)) for key in form if (m := re.fullmatch(r"evidence\.(\d+)\.\w+", key))]
    return min(max(indices, default=-1) + 1, 200)


def _joined(values: Iterable[Any] | None, separator: str) -> str:
    return separator.join(str(value) for value in values or ())


def bet_to_form(item: Mapping[str, Any]) -> dict[str, str]:
    form = {name: _shown(item.get(name)) for name in (*BET_TEXT, *BET_MORE, "certainty")}
    prescriptiveness = item.get("prescriptiveness")
    if isinstance(prescriptiveness, int) and 1 <= prescriptiveness <= len(Prescriptiveness):
        form["prescriptiveness"] = Prescriptiveness(prescriptiveness).label  # the select offers names
    form["parents"] = _joined(item.get("parents"), ", ")
    form["assumes"] = _joined(item.get("assumes"), ", ")
    form["tags"] = _joined(item.get("tags"), ", ")
    form["links"] = _joined(item.get("links"), "\n")
    for name in METRIC:
        form[f"metric.{name}"] = _shown((item.get("metric") or {}).get(name))
    return form


def assumption_to_form(item: Mapping[str, Any]) -> dict[str, str]:
    form = {name: _shown(item.get(name)) for name in (*ASSUMPTION_TEXT, "certainty", "importance")}
    for index, entry in enumerate(item.get("evidence") or ()):
        for name in EVIDENCE:
            form[f"evidence.{index}.{name}"] = _shown(entry.get(name))
    return form


def evidence_rows(form: Mapping[str, str]) -> int:
    """How many evidence rows an assumption form shows: those it has, and one blank to add."""
    return _rows(form) + 1


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)  # every digit: a form saved unchanged must save the same number
    return str(value)


def field_errors(problems: Iterable[Problem]) -> dict[str, list[str]]:
    """Problems by form field ("certainty", "metric.target", "evidence.0.url"); "" for the whole item."""
    errors: dict[str, list[str]] = {}
    for problem in problems:
        path = [str(part) for part in problem.path]
        if path[:1] in (["links"], ["tags"], ["parents"], ["assumes"]):
            path = path[:1]  # one text box holds the whole list
        errors.setdefault(".".join(path), []).append(problem.message)
    return errors
