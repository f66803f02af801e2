"""Pure-Python tests: no Odoo, no database.

``intellipush_sms/__init__.py`` imports Odoo, so importing
``intellipush_sms.tools.…`` the normal way would need a running Odoo. The
tools are plain Python by design; registering a bare package module for the
addon lets them be imported on their own, exactly as they run inside Odoo.
"""

import sys
import types
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
for addon_name in ("intellipush_sms", "intellipush_sms_marketing"):
    if addon_name not in sys.modules:
        addon = types.ModuleType(addon_name)
        addon.__path__ = [str(REPO_ROOT / addon_name)]
        sys.modules[addon_name] = addon
sys.path.insert(0, str(REPO_ROOT))

from intellipush_sandbox import Sandbox  # noqa: E402

API_ID = "pytest-id"
API_SECRET = "pytest-secret-7c1e9"  # noqa: S105 (a sandbox credential)


@pytest.fixture(scope="module")
def sandbox_server():
    with Sandbox(port=0, api_id=API_ID, api_secret=API_SECRET) as server:
        yield server


@pytest.fixture
def sandbox(sandbox_server):
    sandbox_server.reset()
    yield sandbox_server
    sandbox_server.clear_faults()
