"""Offline side, step one: the raw catalogs and ratings -> data/processed (`python -m etl`), and the EDA of it."""
