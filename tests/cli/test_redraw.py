"""`betgraph redraw`: the drawings kept beside a document follow it, and only they are written."""

from __future__ import annotations

import os
from pathlib import Path

from app.formats.starter import STARTER
from tests.servers import betgraph as run


def betgraph(*args: str, cwd: Path) -> tuple[int, str]:
    result = run(dict(os.environ), *args, check=False, cwd=cwd)
    return result.returncode, result.stderr


def test_redraw_writes_only_the_drawings_that_changed(tmp_path: Path) -> None:
    (tmp_path / "bets.yaml").write_text(STARTER)
    for name in ("bets.svg", "bets.mmd"):
        assert betgraph("render", "bets.yaml", "-o", name, cwd=tmp_path)[0] == 0
    drawn = {name: (tmp_path / name).read_bytes() for name in ("bets.svg", "bets.mmd")}
    code, said = betgraph("redraw", "bets.yaml", cwd=tmp_path)
    assert (code, said) == (0, "")  # what render drew by default is what redraw draws
    (tmp_path / "bets.yaml").write_text(STARTER.replace("Tiny Books product map", "Tiny Books map"))
    (tmp_path / "bets.pdf").write_bytes(b"%PDF-1.7 left alone")
    code, said = betgraph("redraw", "bets.yaml", cwd=tmp_path)
    assert code == 0
    assert said.splitlines()[0].startswith("redrew bets.svg (")
    assert said.splitlines()[1].startswith("redrew bets.mmd (")
    for name, before in drawn.items():
        after = (tmp_path / name).read_bytes()
        assert after != before
        assert b"Tiny Books map" in after
    assert (tmp_path / "bets.pdf").read_bytes() == b"%PDF-1.7 left alone"
    assert not (tmp_path / "bets.png").exists()  # a drawing nobody kept is not made


def test_an_invalid_document_is_told_and_the_others_redrawn(tmp_path: Path) -> None:
    (tmp_path / "broken.bets.yaml").write_text("betgraph: 1\ngraph: {slug: s, title: S, colour: red}\n")
    (tmp_path / "broken.bets.svg").write_text("<svg/>")
    (tmp_path / "bets.yaml").write_text(STARTER)
    (tmp_path / "bets.svg").write_text("<svg/>")
    (tmp_path / "lonely.yaml").write_text("not a document, and no drawing beside it")
    code, said = betgraph("redraw", "broken.bets.yaml", "lonely.yaml", "bets.yaml", cwd=tmp_path)
    assert code == 2
    assert "broken.bets.yaml:2:28: unknown field 'colour'" in said
    assert "redrew bets.svg" in said
    assert (tmp_path / "broken.bets.svg").read_text() == "<svg/>"
