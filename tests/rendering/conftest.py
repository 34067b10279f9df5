from __future__ import annotations

import pytest

from app.domain.model import Graph
from app.formats.document import load
from tests.domain.builders import DESIGN_EXAMPLE


@pytest.fixture
def acme() -> Graph:
    return load(DESIGN_EXAMPLE)[0]
