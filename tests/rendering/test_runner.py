from __future__ import annotations

import os
import subprocess
import time

import pytest

from app.rendering.runner import Limits, RenderError, RenderTimeoutError, RenderTooLargeError, convert_svg, run_dot


def test_runs_dot() -> None:
    assert run_dot("digraph { a -> b }", "svg").startswith(b"<?xml")


def test_no_file_is_read_with_server_name_set() -> None:
    # With SERVER_NAME set Graphviz refuses image files; the picture must not embed the file.
    out = run_dot('digraph { a [image="/etc/hostname", label=""] }', "svg")
    assert b"/etc/hostname" not in out or b"<image" not in out


def test_timeout_kills_the_whole_process_group() -> None:
    # A graph too large to lay out in a tenth of a second.
    source = "digraph {" + " ".join(f"n{i} -> n{(i * 7919) % 3000};" for i in range(3000)) + "}"
    started = time.monotonic()
    with pytest.raises(RenderTimeoutError, match="did not finish"):
        run_dot(source, "svg", Limits(timeout=0.1))
    assert time.monotonic() - started < 5
    leftovers = subprocess.run(["pgrep", "-f", "betgraph-dot"], capture_output=True, text=True, check=False)
    assert str(os.getpid()) not in leftovers.stdout


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
