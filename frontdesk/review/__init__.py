"""The principals' review: visits of a day or range, full-text search, history, totals, charts data, exports."""
