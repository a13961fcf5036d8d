from __future__ import annotations

import pytest

from tests.online import helpers


@pytest.fixture(autouse=True)
def _online_data_dir(settings, tmp_path):
    settings.ONLINE_DATA_DIR = str(tmp_path / "online")


@pytest.fixture
def analyst(org, make_user):
    return make_user(org, "online_analyst")


@pytest.fixture
def colleague(org, make_user):
    return make_user(org, "online_analyst")


@pytest.fixture
def investigation(org, analyst):
    return helpers.make_investigation(org, analyst)


@pytest.fixture
def ws():
    from threadline.engines.online import workspace as ws_mod

    return ws_mod.Workspace(helpers.workspace())


@pytest.fixture
def top():
    return helpers.top_network()
