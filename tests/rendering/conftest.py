from __future__ import annotations

import pytest

from app.domain.model import Graph
from app.formats.document import load
from tests.domain.builders import DESIGN_EXAMPLE
from tests.web.conftest import browser  # noqa: F401 - Debian's chromium, for the pictures that follow the colour scheme


@pytest.fixture
def acme() -> Graph:
    return load(DESIGN_EXAMPLE)[0]
