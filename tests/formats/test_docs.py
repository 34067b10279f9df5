"""docs/document.md is written from the code: it must be current, and each lint rule's example must break that rule."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest

from app.domain.lint import RULES, lint
from app.formats import docs
from app.formats.document import load
from tests.servers import ROOT


def test_the_committed_document_is_what_the_code_writes() -> None:
    assert docs.TARGET.read_text() == docs.render(), "run: python -m app.formats.docs"


def test_the_check_reads_and_does_not_write() -> None:
    before = docs.TARGET.stat().st_mtime_ns
    done = subprocess.run(
        [sys.executable, "-m", "app.formats.docs", "--check"], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert done.returncode == 0, done.stderr
    assert docs.TARGET.stat().st_mtime_ns == before


def test_every_rule_has_an_example() -> None:
    assert sorted(path.stem for path in docs.LINT_EXAMPLES.glob("*.yaml")) == sorted(RULES)


@pytest.mark.parametrize("rule", list(RULES))
def test_each_example_breaks_its_rule_and_no_other(rule: str) -> None:
    graph, _ = load((docs.LINT_EXAMPLES / f"{rule}.yaml").read_text())
    # read against a day years later: each example names its own as_of
    assert {finding.rule for finding in lint(graph, dt.date(2030, 1, 1))} == {rule}


def test_each_rule_shows_its_example_and_what_lint_says() -> None:
    written = docs.TARGET.read_text()
    for rule in docs.rules():
        assert rule.findings
        assert f"### `{rule.name}` ({rule.severity})" in written
        assert rule.example in written
        for finding in rule.findings:
            assert f"> {finding}\n" in written


def test_every_field_is_in_a_table() -> None:
    written = docs.TARGET.read_text()
    for section in docs.sections():
        for field in section.fields:
            assert f"| `{field.name}`" in written


def test_a_schema_with_no_words_is_refused() -> None:
    # a new kind of field must get its words, not a blank cell
    with pytest.raises(ValueError, match="no words"):
        docs.takes({"type": "string", "pattern": "^x$"})
    with pytest.raises(ValueError, match="no words"):
        docs.takes({"type": "boolean"})
