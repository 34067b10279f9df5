"""Running Graphviz (and the SVG converter) with limits a hostile or huge graph cannot get past.

`dot` runs with `SERVER_NAME` set (Graphviz then refuses to read files named in a graph),
in an empty temporary working directory, with an address-space limit, a wall-clock timeout
and a cap on what it may write; on timeout or overflow its whole process group is killed.
"""

from __future__ import annotations

import contextlib
import functools
import io
import os
import resource
import selectors
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass


class RenderError(Exception):
    """A diagram could not be drawn; the message is fit to show a user."""


class RenderTimeoutError(RenderError):
    pass


class RenderTooLargeError(RenderError):
    pass


@dataclass(frozen=True, slots=True)
class Limits:
    timeout: float = 60.0  # seconds of wall time for one dot process
    memory: int = 2 << 30  # bytes of address space
    output: int = 64 << 20  # bytes dot may write
    # PNG and PDF are scaled down to fit this many inches a side (at 96 dpi: 5,760 pixels).
    page_inches: int = 60


_PACKAGES = {
    "dot": "Graphviz (Debian/Ubuntu: apt-get install graphviz; macOS: brew install graphviz)",
    "rsvg-convert": "librsvg (Debian/Ubuntu: apt-get install librsvg2-bin; macOS: brew install librsvg)",
}


def executable(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise RenderError(f"`{name}` was not found: install {_PACKAGES[name]}, or run `make run`, which installs it.")
    return found


def _kill(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


@functools.cache
def graphviz_version() -> str:
    """`dot -V`, once per process: a new Graphviz may draw the same DOT differently."""
    try:
        result = subprocess.run([executable("dot"), "-V"], capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired, RenderError):
        return "unknown"
    return (result.stderr or result.stdout).strip()


def run_dot(source: str, fmt: str, limits: Limits | None = None) -> bytes:
    """Lay out and draw DOT `source` in format `fmt` (svg, dot, json…) and return the bytes."""
    return _run([executable("dot"), f"-T{fmt}"], source.encode("utf-8"), limits or Limits(), "Graphviz")


CREATOR = "Betgraph"


def convert_svg(
    svg: bytes,
    fmt: str,
    width: float,
    height: float,
    limits: Limits | None = None,
    *,
    title: str = "",
    subject: str = "",
) -> bytes:
    """Our finished SVG -> PNG or PDF, so that every format shows the same picture (bands included).

    A PDF carries `title` and `subject` as its document information, for readers and search.
    """
    limits = limits or Limits()
    # rsvg draws a point as 4/3 of a pixel; zoom 1.5 on top reads well on high-density screens,
    # and huge maps are scaled down until their longer side fits the page cap.
    longest_px = max(width, height, 1.0) * 96 / 72
    zoom = min(1.5, limits.page_inches * 96 / longest_px)
    argv = [executable("rsvg-convert"), "-f", fmt, "--zoom", f"{zoom:.4f}", "--background-color", "white"]
    drawn = _run(argv, svg, limits, "rsvg-convert")
    return with_metadata(drawn, title, subject) if fmt == "pdf" else drawn


def with_metadata(pdf: bytes, title: str, subject: str) -> bytes:
    """Sets a PDF's /Title, /Subject and /Creator, which rsvg-convert has no option for.

    An incremental update appends the new information dictionary after the untouched drawing:
    milliseconds even for a map of thousands of bets.
    """
    from pypdf import PdfWriter  # noqa: PLC0415 - a tenth of a second to import, for PDFs alone
    from pypdf.errors import PyPdfError  # noqa: PLC0415

    try:
        writer = PdfWriter(io.BytesIO(pdf), incremental=True)
        writer.add_metadata({"/Title": title, "/Subject": subject, "/Creator": CREATOR})
        out = io.BytesIO()
        writer.write(out)
    except (PyPdfError, ValueError, KeyError) as error:
        raise RenderError(f"rsvg-convert wrote a PDF that could not be given its title: {error}") from None
    return out.getvalue()


def _run(argv: list[str], data: bytes, limits: Limits, tool: str) -> bytes:
    with tempfile.TemporaryDirectory(prefix="betgraph-dot-") as workdir:
        env = {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "SERVER_NAME": "betgraph",  # Graphviz's "running in a server" switch: no file access
            "HOME": workdir,
            "LANG": "C.UTF-8",
            "GV_FILE_PATH": workdir,
        }
        # The context closes every pipe, whatever happens; a kill comes first on any error.
        with subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=workdir,
            env=env,
            start_new_session=True,  # its own process group, so a kill reaches any child too
        ) as process:
            # dot does nothing before it has read its input, so limiting it now is as good as at exec.
            with contextlib.suppress(ProcessLookupError, OSError, ValueError):
                resource.prlimit(process.pid, resource.RLIMIT_AS, (limits.memory, limits.memory))
            try:
                output, errors = _exchange(process, data, limits, tool)
            except BaseException:
                _kill(process)
                raise
            code = process.wait()
    if code != 0:
        detail = errors.decode("utf-8", "replace").strip().splitlines()
        if code < 0 or any("memory" in line.lower() or "alloc" in line.lower() for line in detail):
            raise RenderTooLargeError(
                f"{tool} ran out of its memory limit ({limits.memory >> 20} MiB) drawing this diagram; "
                "draw a smaller view (why, impact or team)"
            )
        raise RenderError(f"{tool} failed ({code}): {' '.join(detail[:3])[:500] or 'no message'}")
    return output


def _exchange(process: subprocess.Popen[bytes], data: bytes, limits: Limits, tool: str) -> tuple[bytes, bytes]:
    assert process.stdin
    assert process.stdout
    assert process.stderr
    deadline = time.monotonic() + limits.timeout
    chunks: list[bytes] = []
    errors: list[bytes] = []
    size = 0
    pending = memoryview(data)
    with selectors.DefaultSelector() as selector:
        os.set_blocking(process.stdin.fileno(), False)
        selector.register(process.stdin, selectors.EVENT_WRITE)
        selector.register(process.stdout, selectors.EVENT_READ)
        selector.register(process.stderr, selectors.EVENT_READ)
        open_streams = 3
        while open_streams:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                _kill(process)
                raise RenderTimeoutError(
                    f"{tool} did not finish within {limits.timeout:g} s; the diagram is too large or too "
                    "tangled to lay out. Draw a smaller view (why, impact or team)."
                )
            for key, _ in selector.select(timeout=min(remaining, 0.5)):
                stream = key.fileobj
                if stream is process.stdin:
                    try:
                        written = os.write(process.stdin.fileno(), pending[:65536])
                    except BrokenPipeError:
                        written = len(pending)
                    pending = pending[written:]
                    if not pending:
                        selector.unregister(process.stdin)
                        process.stdin.close()
                        open_streams -= 1
                    continue
                assert stream is process.stdout or stream is process.stderr
                chunk = os.read(stream.fileno(), 65536)
                if not chunk:
                    selector.unregister(stream)
                    open_streams -= 1
                    continue
                if stream is process.stdout:
                    size += len(chunk)
                    if size > limits.output:
                        _kill(process)
                        raise RenderTooLargeError(
                            f"the drawing is larger than {limits.output >> 20} MiB; draw a smaller view"
                        )
                    chunks.append(chunk)
                elif sum(map(len, errors)) < 65536:
                    errors.append(chunk)
    return b"".join(chunks), b"".join(errors)
