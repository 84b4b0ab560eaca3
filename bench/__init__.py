"""Benchmarks of the ETL, the catalog questions, title search, the model and the served app (`make bench`)."""
