#!/usr/bin/env python3
"""Synthesize dataprof's stacks into $CDK_OUTDIR (default cdk.out): offline, no Docker.

python app.py                       # or: npm install && npx cdk synth
npx cdk synth -c dataprof:glue_databases=sales -c dataprof:s3_data_prefixes=lake/sales/
"""

from __future__ import annotations

import os

from dataprof_infra import build_app


def main() -> None:
    app, _, _ = build_app(outdir=os.environ.get("CDK_OUTDIR", "cdk.out"))
    app.synth()


if __name__ == "__main__":
    main()
