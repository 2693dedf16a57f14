"""dataprof's Iceberg backend."""
