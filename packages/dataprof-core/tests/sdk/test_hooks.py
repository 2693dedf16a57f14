"""pluggy hooks: loaded lazily from entry points, errors name the plugin."""

from __future__ import annotations

from typing import Any

import pytest

from dataprof import PluginError, PluginImportError
from dataprof.hooks import get_hooks, reset_hooks

GROUP = "dataprof.plugins"


@pytest.fixture(autouse=True)
def fresh_hooks() -> Any:
    reset_hooks()
    yield
    reset_hooks()


def test_plugin_from_entry_point_contributes(plugin_site: Any) -> None:
    plugin_site.install(
        "dataprof-extra",
        {GROUP: {"extra": "extra_hooks"}},
        {
            "extra_hooks": "from dataprof import hookimpl\n\n@hookimpl\ndef dataprof_anomaly_detectors():\n    return ['d1', 'd2']\n"
        },
    )
    assert get_hooks().anomaly_detectors() == ["d1", "d2"]
    assert get_hooks().result_sinks() == []


def test_failing_hook_names_plugin_and_hook(plugin_site: Any) -> None:
    plugin_site.install(
        "dataprof-bad",
        {GROUP: {"badhook": "bad_hooks"}},
        {
            "bad_hooks": "from dataprof import hookimpl\n\n@hookimpl\ndef dataprof_result_sinks():\n    raise RuntimeError('boom')\n"
        },
    )
    with pytest.raises(
        PluginError, match=r"'badhook' failed in hook dataprof_result_sinks: RuntimeError: boom"
    ):
        get_hooks().result_sinks()


def test_plugin_returning_non_list(plugin_site: Any) -> None:
    plugin_site.install(
        "dataprof-odd",
        {GROUP: {"oddhook": "odd_hooks"}},
        {
            "odd_hooks": "from dataprof import hookimpl\n\n@hookimpl\ndef dataprof_column_metrics():\n    return 3\n"
        },
    )
    with pytest.raises(PluginError, match="expected a list"):
        get_hooks().column_metrics()


def test_plugin_import_failure_names_distribution(plugin_site: Any) -> None:
    plugin_site.install(
        "dataprof-gone",
        {GROUP: {"gone": "gone_hooks"}},
        {"gone_hooks": "import not_a_module_anywhere\n"},
    )
    with pytest.raises(PluginImportError, match="dataprof-gone"):
        get_hooks()
