from __future__ import annotations

import pytest

from app.domain.document import load
from app.domain.model import Graph
from tests.domain.builders import DESIGN_EXAMPLE


@pytest.fixture
def acme() -> Graph:
    return load(DESIGN_EXAMPLE)[0]
