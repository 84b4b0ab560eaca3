"""The streaming catalog's ETL stage (Amazon Prime Video, Disney+, Hulu, Netflix titles and their ratings).

    python -m etl --catalog streaming      # writes data/processed/streaming/

Modules: titles (the platforms' title files -> one clean table), ratings (the ratings files -> one rating per
user and title), spark_ratings (the same ratings stage on Spark), pipeline (the run), eda/ (its EDA section).
"""
