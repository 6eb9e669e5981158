"""Everything that reads results: loading the store, statistics, comparison, sensitivity, charts, report."""

from sim.results.load import Results, load  # noqa: F401  (the one call that reads a results store)
