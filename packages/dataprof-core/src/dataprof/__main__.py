"""``python -m dataprof``: the same as the ``dataprof`` command."""

from dataprof.cli import main

main()
