"""Import every area's ``tasks`` module so their task functions are registered with the worker."""

from __future__ import annotations

import importlib
import importlib.util


def load_all() -> None:
    from django.apps import apps

    for config in apps.get_app_configs():
        if config.name.startswith("threadline.") and importlib.util.find_spec(f"{config.name}.tasks"):
            importlib.import_module(f"{config.name}.tasks")
