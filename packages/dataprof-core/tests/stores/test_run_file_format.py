"""The run file holds each value once (stored form 2), and files written before still load.

``data/run_format_1.json`` was written by dataprof before stored form 2 (indented,
ASCII-escaped, every mirrored metric value twice, sketches as base64): a profile of
a small table with text (one value longer than the cut), decimal, date and integer
columns."""

from __future__ import annotations

import base64
import json
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import datasketches
from hypothesis import given
from hypothesis import strategies as st

from dataprof.anomalies.stored_sketches import load_kll, load_top_items
from dataprof.stores import LocalProfileStore, SourceIdentity, profile_from_json, profile_to_json
from dataprof.stores.sketch_form import join_frequent_strings, split_frequent_strings

OLD_RUN = Path(__file__).parent / "data" / "run_format_1.json"
OLD_RUN_ID = "0123456789abcdef0123456789abcdef"
OLD_SOURCE = SourceIdentity(source_type="arrow", source_name="demo", database="db", table="trips")


def test_a_run_file_of_the_old_layout_loads_with_every_value(tmp_path: Path) -> None:
    text = OLD_RUN.read_text()
    assert '"$format"' not in text
    assert '"value": "Kyiv"' in text
    runs = tmp_path / OLD_SOURCE.key / "runs"
    runs.mkdir(parents=True)
    shutil.copy(OLD_RUN, runs / f"{OLD_RUN_ID}.json")
    store = LocalProfileStore(tmp_path)

    loaded = store.get_run(OLD_RUN_ID)
    city, fare, day = (loaded.column(name) for name in ("city", "fare", "day"))
    assert city is not None
    assert fare is not None
    assert day is not None
    assert city.min_value == city.metrics["min"].value == "Kyiv"
    assert city.top_values[0].value == "Oslo"
    assert city.top_values[0].count == 3
    assert city.metrics["top_values"].value == [t.model_dump() for t in city.top_values]
    assert fare.min_value == fare.metrics["min"].value == Decimal("1.50")
    assert day.max_value == date(2024, 1, 8)
    assert load_top_items(loaded, "city", 1) == ["Oslo"]
    kll = load_kll(loaded, "n")
    assert kll is not None
    assert kll.n == 8
    assert [p.run_id for p in store.history(OLD_SOURCE)] == [OLD_RUN_ID]

    # Written again it takes the new form, loses nothing and is a fraction of the size.
    again = profile_to_json(loaded)
    assert profile_from_json(again) == loaded
    assert len(again.encode()) < len(text) / 2
    stored = json.loads(again)
    assert stored["$format"] == 2
    city_metrics = stored["columns"][0]["metrics"]
    assert "value" not in city_metrics["min"]
    assert "value" not in city_metrics["top_values"]
    assert city_metrics["length_max"]["value"] == 300  # not a mirror: kept
    head, items = stored["sketches"]["city/top"]
    assert "Oslo" in items
    assert isinstance(head, str)


def test_a_metric_that_differs_from_its_flat_field_keeps_its_value() -> None:
    loaded = profile_from_json(OLD_RUN.read_text())
    n = loaded.column("n")
    assert n is not None
    changed = n.model_copy(
        update={"mean_value": 4.5, "metrics": {**n.metrics, "mean": n.metrics["min"]}}
    )
    profile = loaded.model_copy(update={"columns": [changed]})
    column = json.loads(profile_to_json(profile))["columns"][0]
    assert column["metrics"]["mean"]["value"] == 1  # 1 is not 4.5: stored
    assert profile_from_json(profile_to_json(profile)) == profile


def _sketch(items: list[tuple[str, int]], lg_max: int) -> str:
    sketch = datasketches.frequent_strings_sketch(lg_max)
    for item, weight in items:
        sketch.update(item, weight)
    return base64.b64encode(sketch.serialize()).decode("ascii")


@given(
    items=st.lists(st.tuples(st.text(max_size=40), st.integers(1, 10**12)), max_size=40),
    lg_max=st.integers(3, 6),
)
def test_a_frequent_items_sketch_splits_into_text_and_joins_back_exactly(
    items: list[tuple[str, int]], lg_max: int
) -> None:
    items = [(item.encode("utf-8", "replace").decode("utf-8"), w) for item, w in items]
    encoded = _sketch(items, lg_max)
    split = split_frequent_strings(encoded)
    if not items:
        assert split is None  # an empty sketch has no items: kept as it is
        return
    assert split is not None
    assert set(split[1]) <= {item for item, _ in items}
    assert join_frequent_strings(json.loads(json.dumps(split))) == encoded


@given(data=st.data())
def test_damaged_sketch_bytes_are_kept_as_they_were(data: st.DataObject) -> None:
    raw = bytearray(base64.b64decode(_sketch([("alpha", 3), ("beta", 1), ("é☃", 2)], 4)))
    cut = data.draw(st.integers(0, len(raw)))
    flips = data.draw(st.lists(st.integers(0, len(raw) - 1), max_size=3))
    damaged = raw[:cut] if data.draw(st.booleans()) else raw
    for index in flips:
        if index < len(damaged):
            damaged[index] ^= 0xFF
    encoded = base64.b64encode(bytes(damaged)).decode("ascii")
    split = split_frequent_strings(encoded)
    assert split is None or join_frequent_strings(split) == encoded  # never a different sketch
    assert split_frequent_strings("not base64!") is None
