"""pytest hooks and fixtures for the whole suite; the helpers themselves live in support.py.

(Test modules import helpers from ``support``, never from ``conftest``: tests/containers has
its own conftest.py, and two modules called ``conftest`` cannot both be imported by name.)
"""

from __future__ import annotations

from pathlib import Path

import pytest

from support import ALL_SPECS, spec_id


@pytest.fixture(params=ALL_SPECS, ids=spec_id)
def any_spec(request: pytest.FixtureRequest) -> Path:
    """Every example spec in specs/ and, when ../shared is there, every shared case, one at a time."""
    return request.param

