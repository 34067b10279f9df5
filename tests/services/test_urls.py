"""The URL grammar: picture URLs and viewer pages read into the picture they show, or refused in words."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.services.errors import InvalidParameterError, NotFoundError
from app.services.urls import (
    PicturePath,
    Unembeddable,
    ViewState,
    diff_path,
    read_embed_url,
    read_picture_path,
    read_view,
    split_file,
)

BASE = "http://127.0.0.1:8000"


def read(url: str, base: str = BASE) -> tuple[str, str | None]:
    picture, as_of = read_embed_url(url, base)
    return picture.path(), as_of


@pytest.mark.parametrize(
    ("url", "path", "as_of"),
    [
        ("/graphs/acme", "/graphs/acme.svg", None),
        ("/graphs/acme/", "/graphs/acme.svg", None),
        ("/graphs/acme?focus=wizard", "/graphs/acme.svg", None),  # a map's focus only selects a bet
        ("/graphs/acme?view=why&focus=wizard", "/graphs/acme/why/wizard.svg", None),
        ("/graphs/acme?view=impact&focus=setup-pain&as_of=3", "/graphs/acme/impact/setup-pain.svg", "3"),
        ("/graphs/acme?view=team&focus=Growth+%2F+EMEA", "/graphs/acme/team/Growth%20%2F%20EMEA.svg", None),
        ("/graphs/acme?as_of=2026-11-01", "/graphs/acme.svg", "2026-11-01"),
        ("/graphs/acme?theme=dark", "/graphs/acme.dark.svg", None),
        ("/graphs/acme?view=diff&focus=2..5", "/graphs/acme/diff/2..5.svg", None),
        ("/graphs/acme?view=diff&focus=..5&as_of=1", "/graphs/acme/diff/1..5.svg", None),  # as the page reads it
        ("/graphs/acme?band=&min=&view=map", "/graphs/acme.svg", None),  # an empty filter form filters nothing
        ("/graphs/acme.png", "/graphs/acme.png", None),
        ("/graphs/acme.svg?as_of=4", "/graphs/acme.svg", "4"),
        ("/graphs/acme/r/2/why/wizard.dark.png", "/graphs/acme/r/2/why/wizard.dark.png", None),
        ("/graphs/acme/diff/1..3.dark.svg", "/graphs/acme/diff/1..3.dark.svg", None),
        ("/graphs/acme/diff/2026-11-01...svg", "/graphs/acme/diff/2026-11-01...svg", None),  # up to the latest
        ("/e/tok%2Fen/graphs/acme/diff/1..2.png", "/e/tok%2Fen/graphs/acme/diff/1..2.png", None),
        (f"{BASE}/graphs/acme.svg#top", "/graphs/acme.svg", None),
        ("HTTP://127.0.0.1:8000/graphs/acme", "/graphs/acme.svg", None),  # scheme and host are case-blind
    ],
)
def test_urls_people_copy_name_the_picture_they_show(url: str, path: str, as_of: str | None) -> None:
    assert read(url) == (path, as_of)


def test_only_this_services_address_is_read() -> None:
    assert read("http://127.0.0.1:8000/graphs/acme")[0] == "/graphs/acme.svg"
    for foreign in (
        "http://127.0.0.1:8001/graphs/acme.svg",
        "https://127.0.0.1:8000/graphs/acme.svg",
        "http://evil.example/graphs/acme.svg",
        "//evil.example/graphs/acme.svg",
        "javascript:alert(1)",
        "graphs/acme.svg",
        "/somewhere/else",
        "/graphs/acme/r/1/diff/1..2.svg",  # a diff names its revisions itself
        "/graphs/acme/diff/12.svg",
    ):
        with pytest.raises(NotFoundError):
            read(foreign)


def test_a_configured_public_url_is_read_with_its_path_and_default_port() -> None:
    base = "https://bets.example.com/betgraph"
    assert (
        read("https://bets.example.com:443/betgraph/graphs/acme?view=why&focus=x", base)[0] == "/graphs/acme/why/x.svg"
    )
    assert read("/betgraph/graphs/acme.png", base)[0] == "/graphs/acme.png"
    for foreign in ("https://bets.example.com/graphs/acme.svg", "http://bets.example.com/betgraph/graphs/acme.svg"):
        with pytest.raises(NotFoundError):
            read(foreign, base)


@pytest.mark.parametrize(
    ("url", "refusal", "words"),
    [
        ("/graphs/acme?band=6w", Unembeddable, "filters cannot be embedded"),
        ("/graphs/acme?min=50&team=growth&focus=x", Unembeddable, "leave out team, min"),
        ("/graphs/acme?zoom=2", InvalidParameterError, "does not take zoom"),
        ("/graphs/acme.svg?view=why", InvalidParameterError, "takes only as_of"),
        ("/graphs/acme/r/2.svg?as_of=1", InvalidParameterError, "leave out as_of"),
        ("/graphs/acme/diff/1..2.svg?as_of=1", InvalidParameterError, "leave out as_of"),
        ("/graphs/acme?view=why", NotFoundError, "needs a focus"),
        ("/graphs/acme\x00.svg", InvalidParameterError, "control characters"),
        ("/graphs/acme\ud800.svg", InvalidParameterError, "not a URL"),
        ("http://[::1/graphs/acme.svg", InvalidParameterError, "not a URL"),
        ("http://127.0.0.1:99999/graphs/acme.svg", InvalidParameterError, "not a URL"),
    ],
)
def test_what_no_picture_shows_is_refused_in_words(url: str, refusal: type[Exception], words: str) -> None:
    with pytest.raises(refusal, match=words):
        read(url)


def test_filters_narrow_only_the_map() -> None:
    # The page draws a why-chain whole whatever filters its address still carries.
    assert read("/graphs/acme?view=why&focus=x&band=6w")[0] == "/graphs/acme/why/x.svg"
    assert read_view([("band", "6w")]).narrowed
    assert not read_view([("band", "zz"), ("min", "nan"), ("debate", "0")]).narrowed  # values the page ignores


def test_the_viewer_reads_its_query_as_before() -> None:
    state = read_view([("view", "bogus"), ("focus", "x" * 300), ("as_of", " 3 "), ("min", "40%"), ("team", "a")])
    assert state == read_view([("view", "map"), ("focus", "x" * 200), ("as_of", "3"), ("min", "40"), ("team", "a")])
    assert state.view == "map"
    assert state.filters.min_certainty == 0.4
    assert state.query() == "?focus=" + "x" * 200 + "&as_of=3&team=a&min=40"
    assert read_view([("view", "why"), ("view", "impact")]).view == "impact"  # the last, as Starlette's get


def test_a_pinned_page_names_its_pinned_picture() -> None:
    state = ViewState("why", "wizard", as_of="2026-11-01")
    assert state.picture("acme", 7) == PicturePath("acme", "why", "wizard", 7)
    assert state.picture("acme", 7, fmt="png").path() == "/graphs/acme/r/7/why/wizard.png"  # type: ignore[union-attr]


@given(st.text(max_size=300))
def test_no_text_breaks_the_reader(url: str) -> None:
    try:
        picture, _ = read_embed_url(url, BASE)
    except (NotFoundError, InvalidParameterError, Unembeddable):
        return
    assert read_picture_path(picture.path().split("?")[0]) is not None or picture.view == "diff"


def test_the_auto_theme_is_part_of_the_grammar() -> None:
    assert split_file("acme.auto.svg") == ("acme", "auto", "svg")
    assert split_file("acme.dark.png") == ("acme", "dark", "png")
    assert split_file("acme.svg") == ("acme", "light", "svg")
    named = read_picture_path("/graphs/acme/r/3/why/a%2Fb.auto.svg")
    assert named is not None
    assert named.theme == "auto"
    assert named.focus == "a/b"
    assert named.path() == "/graphs/acme/r/3/why/a%2Fb.auto.svg"
    assert read_picture_path("/graphs/acme.auto.png") is None  # only SVG carries both palettes
    assert diff_path("acme", 1, 2, theme="auto", fmt="svg") == "/graphs/acme/diff/1..2.auto.svg"
