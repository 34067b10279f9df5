"""Drawings run below the requests' CPU priority, Graphviz included, and failures that recur are remembered."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import pytest

from app.rendering.runner import RenderTimeoutError
from app.services.renderer import DRAWING_NICENESS, Renderer

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="a niceness per thread is Linux's")


def test_a_drawing_and_the_process_it_starts_yield_the_cpu_to_requests() -> None:
    own = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    def make() -> tuple[int, int]:
        thread = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
        child = int(subprocess.run(["nice"], capture_output=True, text=True, check=True).stdout)
        return thread, child

    expected = min(19, own + DRAWING_NICENESS)
    assert Renderer().draw("k", make) == (expected, expected)
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == own  # the request's thread is not


def test_a_failure_that_recurs_is_remembered_and_others_are_not() -> None:
    renderer = Renderer(remember=(RenderTimeoutError,), remember_for=60)
    calls: list[str] = []

    def slow() -> bytes:
        calls.append("slow")
        raise RenderTimeoutError("Graphviz did not finish")

    def broken() -> bytes:
        calls.append("broken")
        raise ValueError("a bug")

    for _ in range(3):
        with pytest.raises(RenderTimeoutError, match="did not finish"):
            renderer.draw("slow", slow)
        with pytest.raises(ValueError, match="a bug"):
            renderer.draw("broken", broken)
    assert calls.count("slow") == 1
    assert calls.count("broken") == 3
