"""The registry: lazy discovery and every plugin error, with real distribution metadata."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from dataprof import (
    BackendNotInstalledError,
    DataSourceConfig,
    DuplicatePluginError,
    PluginError,
    PluginImportError,
    UnknownSourceTypeError,
)
from dataprof.connectors.file import FileConnector
from dataprof.registry import ConnectorRegistry

GROUP = "dataprof.connectors"

GOOD_MODULE = """
from dataprof.connectors.file import FileConnector

class GoodConnector(FileConnector):
    pass
"""


def test_unknown_name_lists_installed(plugin_site: Any) -> None:
    registry = ConnectorRegistry()
    with pytest.raises(UnknownSourceTypeError) as info:
        registry.load("oracle")
    assert "'oracle'" in str(info.value)
    assert "file" in info.value.installed
    assert "installed: " in str(info.value)


def test_first_party_not_installed_names_the_pip_command() -> None:
    registry = ConnectorRegistry(group="dataprof.nothing-installed-here")
    with pytest.raises(BackendNotInstalledError) as info:
        registry.load("athena")
    assert "pip install ./packages/dataprof-athena" in str(info.value)
    assert "not on PyPI yet" in str(info.value)
    assert info.value.distribution == "dataprof-athena"


def test_config_validation_checks_the_registry() -> None:
    with pytest.raises(UnknownSourceTypeError):
        DataSourceConfig(source_type="definitely-not-a-source", database="d", table="t")


def test_broken_import_is_chained_and_isolated(plugin_site: Any) -> None:
    plugin_site.install(
        "dataprof-broken",
        {GROUP: {"broken": "broken_plugin:Connector"}},
        {"broken_plugin": "raise ImportError('needs libfoo 9')\n"},
    )
    plugin_site.install(
        "dataprof-good",
        {GROUP: {"good": "good_plugin:GoodConnector"}},
        {"good_plugin": GOOD_MODULE},
    )
    registry = ConnectorRegistry()
    assert {"broken", "good"} <= set(registry.names())
    assert "broken_plugin" not in sys.modules  # indexing imported nothing
    with pytest.raises(PluginImportError) as info:
        registry.load("broken")
    assert isinstance(info.value.__cause__, ImportError)
    assert "needs libfoo 9" in str(info.value)
    assert "dataprof-broken" in str(info.value)
    # the broken plugin does not affect another one
    assert issubclass(registry.load("good"), FileConnector)
    statuses = {row.name: row.status for row in registry.describe()}
    assert statuses["broken"] == "failed"
    assert statuses["good"] == "loaded"


def test_duplicate_name_across_distributions_names_both(plugin_site: Any) -> None:
    plugin_site.install(
        "dataprof-one", {GROUP: {"twin": "good_plugin:GoodConnector"}}, {"good_plugin": GOOD_MODULE}
    )
    plugin_site.install("dataprof-two", {GROUP: {"twin": "other_plugin:Other"}})
    registry = ConnectorRegistry()
    with pytest.raises(DuplicatePluginError) as info:
        registry.load("twin")
    assert "dataprof-one" in str(info.value)
    assert "dataprof-two" in str(info.value)
    assert {r.name: r.status for r in registry.describe()}["twin"] == "conflict"
    # an explicit choice resolves it
    registry.register("twin", "good_plugin:GoodConnector", replace=True)
    assert registry.load("twin").__name__ == "GoodConnector"


def test_entry_point_that_is_not_a_connector(plugin_site: Any) -> None:
    plugin_site.install(
        "dataprof-odd", {GROUP: {"odd": "odd_plugin:thing"}}, {"odd_plugin": "thing = 42\n"}
    )
    with pytest.raises(PluginError, match=r"not a subclass of dataprof\.DataConnector"):
        ConnectorRegistry().load("odd")


def test_register_refuses_to_shadow_without_replace() -> None:
    registry = ConnectorRegistry()
    with pytest.raises(DuplicatePluginError, match="dataprof-core"):
        registry.register("file", FileConnector)
    registry.register("file", FileConnector, replace=True)
    assert registry.load("file") is FileConnector
    registry.register("local", "dataprof.connectors.file:FileConnector")
    assert registry.load("local") is FileConnector


def test_describe_lists_first_party_names_not_installed() -> None:
    registry = ConnectorRegistry(group="dataprof.nothing-installed-here")
    rows = {r.name: r for r in registry.describe()}
    assert rows["redshift"].status == "not installed"
    assert rows["redshift"].detail == "pip install ./packages/dataprof-redshift"
    assert rows["file"].status == "available"
    assert rows["file"].distribution == "dataprof-core"


def test_get_connector_builds_and_validates(
    tmp_path: Path, dataprof_registry: ConnectorRegistry
) -> None:
    cfg = DataSourceConfig(
        source_type="file", connection_params={"path": str(tmp_path)}, database="", table="t"
    )
    from dataprof import get_connector

    assert isinstance(get_connector(cfg), FileConnector)


def test_registry_fixture_undoes_registrations(dataprof_registry: ConnectorRegistry) -> None:
    dataprof_registry.register("scratch", FileConnector)
    assert "scratch" in dataprof_registry.names()
    saved = dataprof_registry.registrations()
    dataprof_registry.unregister("scratch")
    dataprof_registry.restore_registrations(saved)
    assert dataprof_registry.load("scratch") is FileConnector
