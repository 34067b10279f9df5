from __future__ import annotations

import io
import os
import shutil
import signal
import struct
import subprocess
import time
import zlib
from pathlib import Path

import pytest
from pypdf import PdfReader

from app.rendering.runner import (
    Limits,
    RenderError,
    RenderTimeoutError,
    RenderTooLargeError,
    convert_svg,
    run_dot,
    with_metadata,
)


def test_runs_dot() -> None:
    assert run_dot("digraph { a -> b }", "svg").startswith(b"<?xml")


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)  # one grey pixel
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0\0")) + chunk(b"IEND", b"")


def test_no_file_is_read_with_server_name_set(tmp_path: Path) -> None:
    # With SERVER_NAME set Graphviz refuses image files; the picture must not embed the file.
    image = tmp_path / "pixel.png"
    image.write_bytes(_png())
    source = f'digraph {{ a [image="{image}", label=""] }}'
    # The same graph without SERVER_NAME does embed it: the check below would see a leak.
    unguarded = subprocess.run(["dot", "-Tsvg"], input=source.encode(), capture_output=True, check=True, cwd=tmp_path)
    assert b"<image" in unguarded.stdout
    assert b"<image" not in run_dot(source, "svg")


# A `dot` first on PATH that notes its process id (dot's own, after exec, and its process group's)
# and leaves a child in that group, as a Graphviz plugin or helper might.
NOTING_DOT = """#!/bin/sh
sleep 60 </dev/null >/dev/null 2>&1 &
echo "$$" > "{note}"
exec {dot} "$@"
"""


def _alive_in_group(group: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # gone meanwhile
        # the command name in parentheses may hold spaces; the fields after it are fixed
        state, _parent, pgrp = stat.rsplit(")", 1)[1].split()[:3]
        if int(pgrp) == group and state != "Z":
            found.append(int(entry.name))
    return found


def _alive_in_group_for(group: int, seconds: float) -> list[int]:
    # SIGKILL is delivered asynchronously to the group's other members: give them time to die.
    deadline = time.monotonic() + seconds
    while (alive := _alive_in_group(group)) and time.monotonic() < deadline:
        time.sleep(0.02)
    return alive


def test_the_leftover_check_sees_a_live_process_group() -> None:
    with subprocess.Popen(["sleep", "60"], start_new_session=True) as process:
        try:
            assert _alive_in_group(process.pid) == [process.pid]
        finally:
            os.killpg(process.pid, signal.SIGKILL)
    assert _alive_in_group_for(process.pid, 5) == []


def test_timeout_kills_the_whole_process_group(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    note = tmp_path / "dot.pid"
    wrapper = tmp_path / "bin" / "dot"
    wrapper.parent.mkdir()
    wrapper.write_text(NOTING_DOT.format(note=note, dot=shutil.which("dot")))
    wrapper.chmod(0o755)
    monkeypatch.setenv("PATH", f"{wrapper.parent}:{os.environ['PATH']}")
    # A graph that takes dot many seconds; half of one leaves the wrapper ample time to note its id.
    source = "digraph {" + " ".join(f"n{i} -> n{(i * 7919) % 3000};" for i in range(3000)) + "}"
    started = time.monotonic()
    with pytest.raises(RenderTimeoutError, match="did not finish"):
        run_dot(source, "svg", Limits(timeout=0.5))
    assert time.monotonic() - started < 5
    group = int(note.read_text())  # written just before exec: dot ran, through the wrapper
    assert _alive_in_group_for(group, 5) == []


def test_output_cap() -> None:
    source = "digraph {" + " ".join(f"n{i};" for i in range(300)) + "}"
    with pytest.raises(RenderTooLargeError, match="larger than"):
        run_dot(source, "svg", Limits(output=1 << 10))


def test_memory_limit_gives_a_clear_error() -> None:
    source = "digraph {" + " ".join(f"n{i} -> n{(i * 31) % 2000};" for i in range(2000)) + "}"
    with pytest.raises(RenderError):
        run_dot(source, "svg", Limits(memory=40 << 20))


def test_bad_dot_is_a_render_error() -> None:
    with pytest.raises(RenderError, match="Graphviz failed"):
        run_dot("digraph { a -> }", "svg")


def test_png_is_scaled_to_the_page_cap() -> None:
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" width="7200pt" height="720pt" viewBox="0 0 7200 720">'
        b'<rect width="7200" height="720" fill="red"/></svg>'
    )
    png = convert_svg(svg, "png", 7200, 720, Limits(page_inches=10))
    width = int.from_bytes(png[16:20], "big")
    height = int.from_bytes(png[20:24], "big")
    assert width <= 10 * 96 + 1
    assert height < width


def test_a_pdf_carries_its_title_subject_and_creator() -> None:
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="20pt" height="10pt" viewBox="0 0 20 10"/>'
    title = "Acme — “payroll” <b>) \\ (map"
    pdf = convert_svg(svg, "pdf", 20, 10, title=title, subject="29 bets, 9 assumptions")
    read = PdfReader(io.BytesIO(pdf))
    assert read.metadata is not None
    assert read.metadata.title == title
    assert read.metadata.subject == "29 bets, 9 assumptions"
    assert read.metadata.creator == "Betgraph"
    assert (read.metadata.producer or "").startswith("cairo")  # rsvg-convert's drawing, kept as it was
    assert len(read.pages) == 1


def test_a_pdf_that_does_not_parse_is_a_render_error() -> None:
    with pytest.raises(RenderError, match="could not be given its title"):
        with_metadata(b"%PDF-1.5\nnot really", "t", "s")
