"""The package version, in one place (read by manifests, --version and the Dask worker check)."""

__version__ = "0.1.0"
