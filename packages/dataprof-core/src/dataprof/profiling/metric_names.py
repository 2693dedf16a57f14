"""What each key of ``ColumnProfile.metrics`` means, for renderers and plugin authors.

Every figure is over the column's *valid* values (non-null and, for floats,
neither NaN nor infinite) unless its description says otherwise. Percentages
are 0-100.
"""

from __future__ import annotations

__all__ = ["METRIC_DESCRIPTIONS"]

METRIC_DESCRIPTIONS: dict[str, str] = {
    # every column
    "row_count": "rows profiled (the sample's rows in sample mode)",
    "null_count": "null values (a null struct makes its fields null)",
    "null_percentage": "null_count / row_count",
    "non_null_count": "row_count - null_count",
    # counted columns (numbers, time, strings, binaries, booleans)
    "valid_count": "non-null values that are not NaN or infinite",
    "distinct_count": "distinct valid values; exact while the column's value counts fit its "
    "memory budget (DATAPROF_EXACT_BUDGET_MIB, default 32 MiB a column), then HLL",
    "distinct_percentage": "distinct_count / valid_count",
    "top_values": "up to 10 most frequent valid values with counts, ties by value; past the "
    "exact-count budget only values certain to be among the 10 most frequent, each count "
    "between count_lower and count_upper",
    "top_values_found_percentage": "past the exact-count budget, every value occurring in "
    "more than this share of valid values is recognised by the frequent-items sketch",
    "top_values_note": "what the top values are when counted approximately, or why none is listed",
    "min": "smallest valid value (temporal values as dates, times, timestamps)",
    "max": "largest valid value",
    # numbers and time
    "sum": "exact sum (integers and decimals never go through float); None for time",
    "mean": "mean (a timestamp for temporal columns)",
    "median": "the 50th percentile: exact from the value counts within the exact-count "
    "budget, else from the KLL sketch",
    "std_dev": "sample standard deviation (ddof=1); seconds for temporal columns",
    "std_dev_seconds": "temporal columns: the standard deviation in seconds",
    "variance": "sample variance (ddof=1), in the column's units",
    "quantiles": "p1, p5, p25, p50, p75, p95, p99 (inverted-CDF definition), exact within "
    "the exact-count budget, else from KLL",
    "histogram": "10 equal-width bins from min to max: {edges, counts}, exact within the "
    "exact-count budget, else from KLL (approximate, with its rank error)",
    "outlier_count": "values outside the skew-aware outlier fences (IQR x 3, see "
    "dataprof.profiling.fences): {count, below, above} and the fences; exact from the value "
    "counts within the exact-count budget, else from the KLL sketch with its rank error",
    "zero_count": "values equal to zero (numbers)",
    "negative_count": "values below zero (numbers)",
    "nan_count": "NaN values (floats), not counted as nulls",
    "pos_inf_count": "+infinity values (floats)",
    "neg_inf_count": "-infinity values (floats)",
    "infinity_count": "pos_inf_count + neg_inf_count",
    # strings, binaries, lists and maps
    "length_min": "shortest value (characters, bytes or elements)",
    "length_mean": "mean length",
    "length_max": "longest value",
    "empty_count": "values of length 0",
    # strings
    "inferred_match_share": "share of examined values matching the inferred type",
    "inferred_type_shares": "share of examined values matching each content pattern",
    "inferred_examined_count": "values examined for inference (all of them, or a slice spread over each batch)",
    # booleans
    "true_count": "true values",
    "false_count": "false values",
    "true_percentage": "true_count / valid_count",
    # metadata mode
    "size_bytes": "bytes on storage, from metadata",
}
