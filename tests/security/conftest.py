"""Make the security tests import like the rest of the suite, whatever directory pytest starts from.

The tests here import ``_threats`` (this folder) and may import ``_support`` (the parent folder): pytest's
default ``prepend`` import mode puts only a test file's own folder on ``sys.path``, so the parent is added
here. Assertions in ``_threats`` are rewritten so that its failures show the values compared.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

for folder in (Path(__file__).resolve().parent, Path(__file__).resolve().parent.parent):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

pytest.register_assert_rewrite("_threats")
