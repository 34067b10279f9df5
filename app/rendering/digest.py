"""A digest (`app.domain.digest`) as text for a terminal, and as Markdown for GitHub and chat.

The Markdown is GitHub's (GFM): headings, lists, one table, and links to the viewer. Every piece
of user text goes through `app.rendering.escape`, so a title or a reason shows as written and can
never become markup, raw HTML or a link; the only links are the viewer's, made by `Links`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from app.domain.calibration import Band, Calibration, Overdue
from app.domain.diff import Worded
from app.domain.digest import Digest, Leap, RevisionNote
from app.domain.lint import Finding
from app.rendering.escape import markdown_prose, markdown_text, markdown_url
from app.words import percent, plural

LISTED = 20  # revisions listed by name in a digest; the rest are counted


@dataclass(frozen=True, slots=True)
class Links:
    """The viewer's addresses the Markdown links to (`app.services.digest.links` makes them)."""

    graph: Callable[[str], str]  # slug: the map
    item: Callable[[str, str], str]  # slug, id: the map with that bet or assumption selected
    changes: Callable[[str, int, int], str]  # slug, from, to: the changes between two revisions, marked


def _moment(moment: dt.datetime) -> str:
    return f"{moment.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC"


def _noun(section: str) -> str:
    return "bet" if section == "bets" else "assumption"


def _dates(entry: Overdue) -> str:
    passed = (
        f"horizon {entry.horizon.isoformat()}" if entry.horizon else "",
        f"review by {entry.review_by.isoformat()}" if entry.review_by else "",
    )
    return ", ".join(part for part in passed if part)


def _revision_count(found: Digest) -> str:
    period = found.period
    if found.created:
        return f"created in the period: revisions 1 to {period.end}"
    if not period.count:
        return f"no revision written: revision {period.end} throughout"
    return f"{plural(period.count, 'revision')} written: {period.start} to {period.end}"


def _created(found: Digest) -> str:
    """What a graph created in the period holds: every item is new, and listing each would bury the rest."""
    bets, assumptions = len(found.changes.bets_added), len(found.changes.assumptions_added)
    return f"created with {plural(bets, 'bet')} and {plural(assumptions, 'assumption')}"


def _band_value(before: float | int | None, after: float | int | None, shown: Callable[[float | int], str]) -> str:
    def one(value: float | int | None) -> str:
        return "–" if value is None else shown(value)

    return one(after) if before == after else f"{one(before)} → {one(after)}"


def _bands(before: Calibration, after: Calibration) -> list[tuple[Band, Band]]:
    """The bands either side resolved anything in."""
    return [(old, new) for old, new in zip(before.bands, after.bands, strict=True) if old.count or new.count]


# --- text -----------------------------------------------------------------------------------------


def _plain(text: str) -> str:
    """User text on one line, with nothing a terminal would act on (escape sequences, controls)."""
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())


def digest_text(found: Digest) -> str:
    period = found.period
    lines = [
        f"{_plain(found.title)} ({found.slug}): digest from {_moment(period.since)} to {_moment(period.until)}",
        _revision_count(found),
        "",
        "What changed",
    ]
    if not period.count:
        lines.append("  nothing was written")
    lines += [f"  {_revision_line(note, plain=True)}" for note in _listed(found.revisions)]
    if period.count > min(len(found.revisions), LISTED):
        lines.append(f"  … and {plural(period.count - min(len(found.revisions), LISTED), 'earlier revision')}")
    if found.created:
        lines.append(f"  {_created(found)}")
    else:
        lines += [f"  {_plain(worded.text)}" for worded in found.worded]
    lines += ["", "What fell due"]
    if not (found.newly_due or found.still_due):
        lines.append("  nothing is past its horizon or review date without a verdict")
    for heading, entries in (("newly due", found.newly_due), ("still overdue from before", found.still_due)):
        if entries:
            lines.append(f"  {heading}:")
            for entry in entries:
                days = plural(entry.days(found.due_as_of), "day")
                lines.append(
                    f"    {_noun(entry.section)} {entry.id} ({days} over: {_dates(entry)}): {_plain(entry.title)}"
                )
    lines += ["", "Leaps of faith still untested"]
    if not found.leaps:
        lines.append("  none: every important assumption has strong evidence or a verdict")
    lines += [f"  {leap.id}: {_plain(leap.statement)} ({_leap_facts(leap)})" for leap in found.leaps]
    lines += ["", "How calibration moved", *(f"  {line}" for line in _calibration_lines(found, plain=True))]
    lines += ["", "New lint findings"]
    if not found.findings:
        lines.append("  none")
    lines += [f"  {finding.severity.label} {finding.rule}: {_plain(finding.message)}" for finding in found.findings]
    return "\n".join(lines) + "\n"


def digests_text(found: Sequence[Digest]) -> str:
    return "\n".join(digest_text(one) for one in found) if found else "no graph to digest\n"


def _listed(notes: Sequence[RevisionNote]) -> Sequence[RevisionNote]:
    return notes[-LISTED:]


def _revision_line(note: RevisionNote, *, plain: bool) -> str:
    shown = _plain if plain else markdown_prose
    parts = [f"r{note.number}" if plain else f"**r{note.number}**", _moment(note.created_at)]
    if note.who:
        parts.append(shown(note.who))
    if note.reason:
        parts.append(f"“{shown(note.reason)}”")
    return " · ".join(parts)


def _leap_facts(leap: Leap) -> str:
    facts = [
        f"importance {leap.importance}",
        f"evidence {percent(leap.evidence)}",
        f"{plural(leap.resting, 'bet rests', 'bets rest')} on it",
    ]
    return ", ".join([*facts, "new in this period"] if leap.new else facts)


def _calibration_lines(found: Digest, *, plain: bool) -> list[str]:
    move = found.calibration
    before, after = move.before.resolved, move.after.resolved
    if not before and not after:
        return ["nothing resolved yet"]
    change = after - before
    lines = [f"resolved: {before} → {after}" + (f" ({change:+d})" if change else " (no change)")]
    if plain:
        for old, new in _bands(move.before, move.after):
            counts = _band_value(old.count, new.count, str)
            rate = _band_value(old.rate, new.rate, percent)
            lines.append(f"{new.label}: resolved {counts}, hit rate {rate}")
        lines += [
            f"resolved in the period: {_noun(item.section)} {item.id} {item.verdict.value} "
            f"(claimed {percent(item.claimed) if item.claimed is not None else 'nothing'}): {_plain(item.title)}"
            for item in move.resolved
        ]
    return lines


# --- Markdown -------------------------------------------------------------------------------------


def _link(text: str, url: str) -> str:
    return f"[{markdown_text(text)}]({markdown_url(url)})"


def _list(items: Iterable[str]) -> list[str]:
    return [f"- {item}" for item in items]


def digest_markdown(found: Digest, links: Links) -> str:
    slug, period = found.slug, found.period

    def item(item_id: str) -> str:
        return links.item(slug, item_id)

    heading = f"# Digest of {_link(found.title, links.graph(slug))}: {period.first_day} to {period.last_day}"
    summary = f"{_moment(period.since)} to {_moment(period.until)} · {_revision_count(found)}"
    if period.start is not None and not found.changes.empty:
        summary += f" · [the changes on the map]({markdown_url(links.changes(slug, period.start, period.end))})"
    lines = [heading, "", summary, "", "## What changed", ""]
    if not period.count:
        lines += ["Nothing was written in this period.", ""]
    else:
        listed = _listed(found.revisions)
        lines += _list(_revision_line(note, plain=False) for note in listed)
        if period.count > len(listed):
            lines.append(f"- … and {plural(period.count - len(listed), 'earlier revision')}")
        lines.append("")
        if found.created:
            lines += [f"{_created(found)[0].upper()}{_created(found)[1:]}.", ""]
        elif found.worded:
            lines += ["What it changed:", "", *_list(_worded(worded, item) for worded in found.worded), ""]
    lines += ["## What fell due", ""]
    if not (found.newly_due or found.still_due):
        lines += ["Nothing is past its horizon or review date without a verdict.", ""]
    for heading_text, entries in (("Newly due", found.newly_due), ("Still overdue from before", found.still_due)):
        if entries:
            lines += [f"### {heading_text} ({len(entries)})", ""]
            lines += _list(_due(entry, found.due_as_of, item) for entry in entries)
            lines.append("")
    lines += ["## Leaps of faith still untested", ""]
    if not found.leaps:
        lines += ["None: every important assumption has strong evidence or a verdict.", ""]
    else:
        lines += [*_list(f"{_link(leap.statement, item(leap.id))} · {_leap_facts(leap)}" for leap in found.leaps), ""]
    lines += ["## How calibration moved", "", *_calibration_markdown(found, item)]
    lines += ["## New lint findings", ""]
    if not found.findings:
        lines += ["None.", ""]
    else:
        lines += [*_list(_finding(finding, item) for finding in found.findings), ""]
    return "\n".join(lines)


def digests_markdown(found: Sequence[Digest], links: Links) -> str:
    return "\n".join(digest_markdown(one, links) for one in found) if found else "No graph to digest.\n"


def _worded(worded: Worded, item: Callable[[str], str]) -> str:
    if worded.what == "graph":
        return markdown_prose(worded.words)
    name = _link(worded.name, item(worded.focus)) if worded.focus is not None else f"“{markdown_prose(worded.name)}”"
    return f"{worded.what} {name} {markdown_prose(worded.words)}"


def _due(entry: Overdue, as_of: dt.date, item: Callable[[str], str]) -> str:
    days = plural(entry.days(as_of), "day")
    return f"{_noun(entry.section)} {_link(entry.title, item(entry.id))} · {_dates(entry)} · {days} over"


def _calibration_markdown(found: Digest, item: Callable[[str], str]) -> list[str]:
    move = found.calibration
    lines = [f"{line[0].upper()}{line[1:]}." for line in _calibration_lines(found, plain=False)] + [""]
    bands = _bands(move.before, move.after)
    if bands:
        lines += [
            "| Claimed | Resolved | Validated | Invalidated | Inconclusive | Hit rate |",
            "| --- | --- | --- | --- | --- | --- |",
        ]
        for old, new in bands:
            cells = [
                new.label,
                _band_value(old.count, new.count, str),
                _band_value(old.validated, new.validated, str),
                _band_value(old.invalidated, new.invalidated, str),
                _band_value(old.inconclusive, new.inconclusive, str),
                _band_value(old.rate, new.rate, percent),
            ]
            lines.append(f"| {' | '.join(cells)} |")
        lines.append("")
    if move.resolved:
        lines += ["Resolved in this period:", ""]
        for resolved in move.resolved:
            claimed = f"claimed {percent(resolved.claimed)}" if resolved.claimed is not None else "no certainty claimed"
            link = _link(resolved.title, item(resolved.id))
            lines.append(f"- {_noun(resolved.section)} {link}: **{resolved.verdict.value}**, {claimed}")
        lines.append("")
    return lines


def _finding(finding: Finding, item: Callable[[str], str]) -> str:
    subject = _link(finding.subject, item(finding.subject))
    return f"**{finding.severity.label}** `{finding.rule}` on {subject}: {markdown_prose(finding.message)}"
