"""The database commands as a user runs them, on a SQLite file of their own.

They run in this process (click's CliRunner: the same commands, exit codes and words, without a
second's interpreter start each); `test_the_command_line_itself` runs the real command line.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from app.formats.csvpaths import read_csv
from app.formats.document import load
from app.formats.outline import read_markdown
from tests.servers import betgraph as run
from tests.servers import command_line

ROOT = Path(__file__).resolve().parent.parent.parent
FIXTURE_CSV = ROOT / "tests" / "fixtures" / "paths.csv"
SHEET = {"slug": "payroll", "title": "Payroll bets"}


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    environment = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    return environment | {"BETGRAPH_DATA": str(tmp_path / "data")}


def betgraph(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return run(env, *args, check=False)


def test_the_command_line_itself(env: dict[str, str]) -> None:
    """What CliRunner cannot show: the real process, its exit code and its two streams."""
    loaded = command_line(env, "import", "examples/acme.yaml")
    assert loaded.returncode == 0, loaded.stderr
    assert "acme: created, revision 1" in loaded.stderr
    missing = command_line(env, "export", "nope")
    assert missing.returncode == 2
    assert "no graph 'nope'" in missing.stderr
    assert "Traceback" not in missing.stderr


def test_import_export_round_trip(env: dict[str, str], tmp_path: Path) -> None:
    first = betgraph(env, "import", "examples/acme.yaml", "--reason", "first load")
    assert first.returncode == 0, first.stderr
    assert "acme: created, revision 1" in first.stderr
    assert "unchanged, revision 1" in betgraph(env, "import", "examples/acme.yaml").stderr
    out = tmp_path / "acme.yaml"
    assert betgraph(env, "export", "acme", "-o", str(out)).returncode == 0
    assert betgraph(env, "lint", str(out), "--fail-on", "warning").returncode == 0
    assert load(out.read_text())[0] == load((ROOT / "examples" / "acme.yaml").read_text())[0]
    missing = betgraph(env, "export", "nope")
    assert missing.returncode == 2
    assert "no graph 'nope'" in missing.stderr


def test_tokens(env: dict[str, str]) -> None:
    betgraph(env, "import", "examples/acme.yaml")
    created = betgraph(env, "token", "create", "--scope", "read", "--graph", "acme", "--label", "wiki")
    assert created.returncode == 0
    token = created.stdout.strip()
    assert token.startswith("bg_")
    assert created.stdout == token + "\n"  # alone on standard output
    listed = betgraph(env, "token", "list").stdout
    assert "read\tacme\tactive\twiki" in listed
    assert token not in listed
    token_id = listed.split("\t")[0]
    assert betgraph(env, "token", "revoke", token_id).returncode == 0
    assert "revoked" in betgraph(env, "token", "list").stdout
    assert betgraph(env, "token", "revoke", token_id).returncode == 2
    assert betgraph(env, "token", "create", "--scope", "write", "--graph", "nope").returncode == 2


def test_db_upgrade_and_a_bad_database_url(env: dict[str, str]) -> None:
    assert "is up to date" in betgraph(env, "db", "upgrade").stderr
    broken = command_line(env | {"DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/x"}, "token", "list")
    assert broken.returncode == 2
    assert "cannot open the database" in broken.stderr
    assert "Traceback" not in broken.stderr


def test_import_and_export_sheets_and_outlines(env: dict[str, str], tmp_path: Path) -> None:
    options = ("--slug", "payroll", "--title", "Payroll bets")
    sheet = betgraph(env, "import", "tests/fixtures/paths.csv", *options)
    assert sheet.returncode == 0, sheet.stderr
    assert "payroll: created, revision 1" in sheet.stderr
    assert "payroll: unchanged, revision 1" in betgraph(env, "import", "tests/fixtures/paths.csv", *options).stderr
    as_csv = betgraph(env, "export", "payroll", "--format", "csv")
    assert as_csv.returncode == 0
    assert "csv leaves out" not in as_csv.stderr  # nothing a sheet gave is lost on the way back
    assert as_csv.stdout.splitlines()[0] == "goal,outcome,opportunity,initiative,horizon,certainty,status,team"
    assert read_csv(as_csv.stdout, "x.csv", **SHEET)[0] == read_csv(FIXTURE_CSV.read_text(), "x.csv", **SHEET)[0]
    outline = tmp_path / "payroll.md"
    assert betgraph(env, "export", "payroll", "-o", str(outline)).returncode == 0  # the format from the extension
    assert outline.read_text().startswith("---\nslug: payroll\n---\n\n# Payroll bets\n")
    ost = betgraph(env, "import", "tests/fixtures/ost.md", "--reason", "the trio's outline")
    assert "onboarding-ost: created, revision 1" in ost.stderr
    again = tmp_path / "again.md"
    assert betgraph(env, "export", "onboarding-ost", "-o", str(again)).returncode == 0
    assert read_markdown(again.read_text())[0] == read_markdown((ROOT / "tests" / "fixtures" / "ost.md").read_text())[0]
    bad = tmp_path / "bad.csv"
    bad.write_text("goal,outcome,status\nGrow,More,actve\n")
    refused = betgraph(env, "import", str(bad))
    assert refused.returncode == 2
    assert f"{bad}:2:3: status must be one of" in refused.stderr
    assert "did you mean 'active'" in refused.stderr


def test_checkin_and_report_on_a_stored_graph(env: dict[str, str]) -> None:
    assert betgraph(env, "import", "examples/acme.yaml").returncode == 0
    added = betgraph(
        env,
        "checkin",
        "--date",
        "2026-11-15",
        "--note",
        "invites for all",
        "--reason",
        "November numbers",
        "acme",
        "self-serve-activation",
        "34",
    )
    assert added.returncode == 0, added.stderr
    assert "new accounts activated without a call ↑ 34 of 22 → 70 % · 25% ■□□□□ (revision 2)" in added.stderr
    exported = load(betgraph(env, "export", "acme").stdout)[0]
    metric = exported.bet_by_id["self-serve-activation"].metric
    assert metric is not None
    assert (metric.current, metric.checkins[-1].note) == (34, "invites for all")
    negative = betgraph(env, "checkin", "acme", "self-serve-activation", "--", "-1")
    assert negative.returncode == 0, negative.stderr
    report = betgraph(env, "report", "acme", "--format", "json")
    assert report.returncode == 0, report.stderr
    assert '"graph": "acme"' in report.stdout
    assert '"employee-self-onboarding"' in report.stdout


def test_bad_checkins_say_why_and_change_nothing(env: dict[str, str]) -> None:
    betgraph(env, "import", "examples/acme.yaml")
    for args, message in [
        (("acme", "self-serve-activation", "nan"), "value must be a finite number, got nan"),
        (("acme", "support-free-payroll", "3"), "bet 'support-free-payroll' has no metric"),
        (("acme", "nope", "3"), "no bet 'nope'"),
        (("other", "x", "3"), "no graph 'other' in the database"),
        (("--date", "2026-13-01", "acme", "self-serve-activation", "3"), "Invalid value for '--date'"),
    ]:
        result = betgraph(env, "checkin", *args)
        assert result.returncode == 2, result.stderr
        assert message in result.stderr
        assert "Traceback" not in result.stderr
    assert "acme: unchanged, revision 1" in betgraph(env, "import", "examples/acme.yaml").stderr
    assert "no graph 'ghost' in the database" in betgraph(env, "report", "ghost").stderr


def test_people_members_and_personal_tokens(env: dict[str, str]) -> None:
    betgraph(env, "import", "examples/acme.yaml")
    added = betgraph(env, "person", "add", "Ana@Example.com", "--name", "Ana", "--admin")
    assert added.returncode == 0, added.stderr
    assert "ana@example.com: administrator" in added.stderr
    assert betgraph(env, "person", "list").stdout == "ana@example.com\tAna\tadmin\tnot signed in yet\n"

    # A member may be named before they were ever seen: they are added as a person.
    made = betgraph(env, "member", "add", "acme", "Bo@example.com", "--role", "owner")
    assert made.returncode == 0, made.stderr
    assert "acme: bo@example.com is owner" in made.stderr
    assert betgraph(env, "member", "add", "acme", "cy@example.com", "--role", "editor").returncode == 0
    assert betgraph(env, "member", "list", "acme").stdout == "bo@example.com\towner\t\ncy@example.com\teditor\t\n"

    last = betgraph(env, "member", "remove", "acme", "bo@example.com")
    assert last.returncode == 2
    assert "last owner" in last.stderr
    demote = betgraph(env, "member", "add", "acme", "bo@example.com", "--role", "viewer")
    assert demote.returncode == 2
    assert "last owner" in demote.stderr
    assert betgraph(env, "member", "remove", "acme", "CY@example.com").returncode == 0
    assert betgraph(env, "member", "list", "acme").stdout == "bo@example.com\towner\t\n"

    for args, message in (
        (("member", "add", "nope", "bo@example.com", "--role", "viewer"), "no graph 'nope'"),
        (("member", "add", "acme", "not-an-address", "--role", "viewer"), "is not an e-mail address"),
        (("member", "add", "acme", "bo@example.com", "--role", "boss"), "'boss' is not one of"),
        (("member", "remove", "acme", "zed@example.com"), "zed@example.com is not a member of 'acme'"),
        (("member", "list", "nope"), "no graph 'nope'"),
        (("person", "add", "a\x01b@example.com"), "is not an e-mail address"),
        (("token", "create", "--scope", "read", "--person", "zed@example.com"), "nobody is known by"),
        (("token", "create", "--scope", "admin", "--person", "bo@example.com"), "not an administrator"),
        (("token", "create", "--scope", "read", "--person", "bo@example.com", "--graph", "acme"), "--graph is for"),
    ):
        refused = betgraph(env, *args)
        assert refused.returncode == 2, (args, refused.stderr)
        assert message in refused.stderr, (args, refused.stderr)

    personal = betgraph(env, "token", "create", "--scope", "write", "--person", "bo@example.com", "--label", "laptop")
    assert personal.returncode == 0, personal.stderr
    assert personal.stdout.strip().startswith("bg_")
    assert betgraph(env, "token", "create", "--scope", "admin", "--person", "ana@example.com").returncode == 0
    listed = betgraph(env, "token", "list").stdout.splitlines()
    assert listed[0].endswith("\twrite\tall graphs\tactive\tlaptop\tbo@example.com")
    assert listed[1].endswith("\tadmin\tall graphs\tactive\t\tana@example.com")
