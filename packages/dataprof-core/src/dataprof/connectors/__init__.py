"""Connectors that ship inside dataprof-core (only ``file``); each is loaded lazily by the registry."""
