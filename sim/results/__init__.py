"""The results store (Parquet parts + manifest) and provenance manifests."""
