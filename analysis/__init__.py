"""Everything that reads results: loading the store, statistics, comparison, sensitivity, charts, report."""
