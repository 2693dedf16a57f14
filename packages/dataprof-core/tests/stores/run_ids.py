"""Run ids of the form dataprof makes (``uuid4().hex``), numbered so tests read easily."""


def rid(run: int) -> str:
    """32 hex digits ending in the run number, as the PostgreSQL store requires. Not mostly
    zeros: another test may have remembered ``"0000"`` as a secret, and redaction would then
    mask the id in messages."""
    return f"d474f0f1c2b34e5f8a9b{0xA1B2C3D4E5F6 + run:012x}"
