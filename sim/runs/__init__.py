"""Executing runs: one run, sweep designs, backends (serial, processes, Dask) and progress."""
