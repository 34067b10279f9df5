"""What a delivery says: the Standard Webhooks body, and the same as a Slack or Teams message.

The standard body is `{"type", "timestamp", "data"}`. `data` is what the event recorded when it
was raised (the graph, the revision, the item) with, at sending, the links a receiver follows:
the viewer, and the pictures of what changed, pinned to the revision so that they still show it
once the graph has moved on. Links are absolute with BETGRAPH_PUBLIC_URL, paths without it.

Slack and Mattermost take the same incoming-webhook message: `text` (all Mattermost shows, and
Slack's notification) and Slack's `blocks`. Teams (a Workflows webhook) takes an Adaptive Card.
A picture goes into a message only for a public graph: Slack fetches it itself, and a picture it
may not fetch makes it refuse the whole message.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from app.domain.events import (
    ASSUMPTION_RESOLVED,
    BET_RESOLVED,
    DIGEST,
    HORIZON_PASSED,
    LINT_FINDING,
    REVIEW_DUE,
    REVISION_CREATED,
)
from app.services.revisions import changes_of
from app.services.urls import PicturePath, ViewState, diff_path
from app.storage.history import Revision

MOST_LINES = 10  # changes listed in a chat message; the rest counted
MOST_PICTURES = 10  # pictures of changed bets in a revision's body
SLACK_TEXT = 2900  # characters of a Slack section (3,000 at most)


def author_data(revision: Revision | None) -> dict[str, Any] | None:
    if revision is None or revision.author is None:
        return None
    person = revision.author.person
    return {
        "name": person.name if person is not None else None,
        "email": person.email if person is not None else None,
        "token": revision.author.label or None,
    }


def change_lines(changes: dict[str, Any]) -> list[str]:
    """A revision's change (`diff_data`'s shape) in words, an item to a line."""
    out: list[str] = []
    for section in ("bets", "assumptions"):
        part = changes.get(section, {})
        out += [f"{item} added" for item in part.get("added", [])]
        out += [f"{item} removed" for item in part.get("removed", [])]
        for change in part.get("changed", []):
            out += [f"{change['id']}: {line}" for line in change.get("lines", [])]
    out += [f"the graph's {name} changed" for name in changes.get("graph", {})]
    return out


def _pictures(base: str, slug: str, **where: Any) -> dict[str, str]:
    return {fmt: base + PicturePath(slug, fmt=fmt, **where).path() for fmt in ("svg", "png")}


def standard(
    event_type: str, data: dict[str, Any], created_at: dt.datetime, *, revision: Revision | None, base: str
) -> dict[str, Any]:
    """The Standard Webhooks body of an event, links added."""
    data = dict(data)
    slug = data["graph"]["slug"]
    data["graph"] = {**data["graph"], "url": base + f"/graphs/{slug}"}
    number = data.get("revision")
    if event_type == REVISION_CREATED and number is not None:
        changes = changes_of(revision.changes) if revision is not None else {}
        data["author"] = author_data(revision)
        data["reason"] = revision.reason if revision is not None else None
        data["lines"] = change_lines(changes)
        data["changes"] = changes
        changed = [item["id"] for item in changes.get("bets", {}).get("changed", [])]
        changed += changes.get("bets", {}).get("added", [])
        data["pictures"] = {
            "map": _pictures(base, slug, revision=number),
            "diff": (
                {fmt: base + diff_path(slug, number - 1, number, theme="light", fmt=fmt) for fmt in ("svg", "png")}
                if number > 1
                else None
            ),
            "changed": [
                {"id": bet_id, **_pictures(base, slug, view="why", focus=bet_id, revision=number)}
                for bet_id in changed[:MOST_PICTURES]
            ],
        }
        view = ViewState(view="diff", focus=f"{number - 1}..{number}") if number > 1 else ViewState()
        data["url"] = base + view.path(slug)
    else:
        item = data.get("item") or {}
        subject = item.get("id") or next(iter(data.get("finding", {}).get("ids", [])), "")
        data["url"] = base + (ViewState(focus=subject).path(slug) if subject else f"/graphs/{slug}")
        if item.get("section") == "bets":
            data["picture"] = _pictures(base, slug, view="why", focus=subject, revision=number)
    return {"type": event_type, "timestamp": _iso(created_at), "data": data}


def _iso(moment: dt.datetime) -> str:
    moment = moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)
    return moment.isoformat().replace("+00:00", "Z")


def encode(body: dict[str, Any]) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def _who(data: dict[str, Any]) -> str:
    author = data.get("author") or {}
    return author.get("name") or author.get("email") or author.get("token") or "someone"


def headline(body: dict[str, Any]) -> str:
    """The event in one line, as a chat shows it."""
    kind, data = body["type"], body["data"]
    graph = data["graph"]["title"]
    item = data.get("item") or {}
    title = item.get("title", "")
    if kind == REVISION_CREATED:
        if data.get("created"):
            return f"{graph} created by {_who(data)}: {data.get('summary', '')}"
        return f"{graph}: revision {data.get('revision')} by {_who(data)}: {data.get('summary', '')}"
    if kind in (BET_RESOLVED, ASSUMPTION_RESOLVED):
        noun = "bet" if kind == BET_RESOLVED else "assumption"
        verdict = (item.get("resolution") or {}).get("verdict", "resolved")
        return f"{graph}: {noun} “{title}” {verdict}"
    if kind == LINT_FINDING:
        finding = data.get("finding", {})
        return f"{graph}: {finding.get('severity')} {finding.get('rule')}: {finding.get('message')}"
    if kind == REVIEW_DUE:
        return f"{graph}: “{title}” was due for review on {data.get('due')} and has no verdict"
    if kind == HORIZON_PASSED:
        return f"{graph}: “{title}” passed its horizon on {data.get('due')} with no verdict"
    if kind == DIGEST:
        return f"{graph}: the week's digest"
    return f"{graph}: {kind}"


def details(body: dict[str, Any]) -> list[str]:
    """What a chat lists under the headline."""
    kind, data = body["type"], body["data"]
    if kind == REVISION_CREATED:
        lines = list(data.get("lines", []))
        if len(lines) > MOST_LINES:
            lines = [*lines[:MOST_LINES], f"and {len(lines) - MOST_LINES} more"]
        if data.get("reason"):
            lines.append(f"Why: {data['reason']}")
        return lines
    if kind in (BET_RESOLVED, ASSUMPTION_RESOLVED):
        resolution = (data.get("item") or {}).get("resolution") or {}
        out = []
        if resolution.get("learned"):
            out.append(f"Learned: {resolution['learned']}")
        if resolution.get("committed_certainty") is not None:
            out.append(f"We were {round(resolution['committed_certainty'] * 100)}% sure when we committed")
        return out
    if kind == DIGEST:
        return [str(line) for line in data.get("lines", [])][:MOST_LINES]
    return []


def _slack_escape(text: str) -> str:
    # Slack reads &, < and > as its own markup (links, mentions); everything else is shown.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack(body: dict[str, Any]) -> dict[str, Any]:
    data = body["data"]
    title, url = headline(body), data.get("url", "")
    link = f"<{url}|{_slack_escape(data['graph']['title'])}>" if url.startswith("http") else ""
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": _slack_escape(title)[:SLACK_TEXT]}}
    ]
    lines = details(body)
    if lines:
        listed = "\n".join(f"• {_slack_escape(line)}" for line in lines)
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": listed[:SLACK_TEXT]}})
    picture = _shown_picture(data)
    if picture is not None:
        blocks.append({"type": "image", "image_url": picture, "alt_text": title[:1900]})
    context = f"Betgraph · {link}" if link else "Betgraph"
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": context}]})
    return {"text": title, "blocks": blocks}


def _shown_picture(data: dict[str, Any]) -> str | None:
    if not data["graph"].get("public"):
        return None
    pictures = data.get("pictures") or {}
    found = (pictures.get("diff") or pictures.get("map") or data.get("picture") or {}).get("png")
    return found if isinstance(found, str) and found.startswith("http") else None


def teams(body: dict[str, Any]) -> dict[str, Any]:
    data = body["data"]
    card: dict[str, Any] = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": [
            {"type": "TextBlock", "text": headline(body), "weight": "Bolder", "size": "Medium", "wrap": True},
            *({"type": "TextBlock", "text": f"- {line}", "wrap": True, "spacing": "None"} for line in details(body)),
        ],
    }
    picture = _shown_picture(data)
    if picture is not None:
        card["body"].append({"type": "Image", "url": picture, "altText": headline(body)})
    if str(data.get("url", "")).startswith("http"):
        card["actions"] = [{"type": "Action.OpenUrl", "title": "Open in Betgraph", "url": data["url"]}]
    attachment = {"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None, "content": card}
    return {"type": "message", "attachments": [attachment]}


def shaped(fmt: str, body: dict[str, Any]) -> bytes:
    """The bytes sent to a subscription of format `fmt`."""
    if fmt == "slack":
        return encode(slack(body))
    if fmt == "teams":
        return encode(teams(body))
    return encode(body)
