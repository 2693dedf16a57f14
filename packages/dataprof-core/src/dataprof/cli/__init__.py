"""The ``dataprof`` command line. See :mod:`dataprof.cli.app`."""

from dataprof.cli.app import build_app, main

__all__ = ["build_app", "main"]
