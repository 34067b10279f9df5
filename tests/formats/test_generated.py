"""A generated file is written by its module and only checked with --check."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.formats.generated import write_or_check


def test_write_then_check_then_a_stale_copy_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "made.txt"
    assert write_or_check([], target, lambda: "one\n", "app.formats.example") == 0
    assert target.read_text() == "one\n"
    assert write_or_check(["--check"], target, lambda: "one\n", "app.formats.example") == 0
    assert write_or_check(["--check"], target, lambda: "two\n", "app.formats.example") == 1
    assert target.read_text() == "one\n"  # a check writes nothing
    assert "made.txt is out of date: run python -m app.formats.example" in capsys.readouterr().err
    assert write_or_check(["--nonsense"], target, lambda: "two\n", "app.formats.example") == 2
    assert "usage: python -m app.formats.example [--check]" in capsys.readouterr().err
