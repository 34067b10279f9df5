from __future__ import annotations

import re

from app.domain.model import Assumption, Bet, Graph, Kind
from app.rendering.mermaid import to_mermaid
from app.rendering.views import View, select
from tests.domain.builders import TODAY


def test_mermaid_of_the_example(acme: Graph) -> None:
    text = to_mermaid(select(acme, View(), TODAY))
    assert text.startswith('---\ntitle: "Acme product map"\n---\nflowchart TB\n')
    assert "  b_wizard --> b_self_serve" in text
    assert "  a_setup_pain -.- b_self_serve" in text
    assert "class b_wizard lint" in text  # false-certainty


def test_mermaid_escapes_what_it_would_read() -> None:
    hostile = 'a "quote" <b>x</b> #1 [x] {y} (z) | `t` end'
    graph = Graph(
        slug="h",
        title=hostile,
        bets=(Bet(id="v-1", kind=Kind.VISION, title=hostile, assumes=("s",)),),
        assumptions=(Assumption(id="s", statement=hostile),),
    )
    text = to_mermaid(select(graph, View(), TODAY))
    labels = re.findall(r'\["(.*)"\]|\[/"(.*)"/\]', text)
    assert labels
    for label in ("".join(pair) for pair in labels):
        assert not set('"<>[]{}()|`') & set(label.replace("<br/>", ""))
    assert "#34;quote#34;" in text
    assert "b_v_1" in text
