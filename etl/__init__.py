"""Offline side, step one: each catalog's raw inputs -> data/processed/<name>/ (`python -m etl`), and its EDA.

A catalog's ETL stage and EDA section live in etl/<name>/; io.py and report.py are shared, eda/ is the EDA builder.
"""
