"""Everything that reads results: loading the store, statistics, comparison, sensitivity, charts, report."""

from .store import Results, load  # noqa: E402  (the one call that reads a results store)
