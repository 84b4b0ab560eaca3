"""The Movies Dataset (TMDB) catalog: a second catalog beside the streaming one, with its own clean tables.

    python -m etl --catalog movies      # writes data/processed/movies/

Raw rows come from `tmdb/movies_metadata.csv` when it is there, else `tmdb/movies_metadata_head5000.csv`
(the same code reads both); the movies beyond the raw file are completed from `tmdb/derived/`, one named
source per field. Modules: columns (names, files, sources), literals (safe parsing of the nested Python
literals), names (ISO codes -> English names), metadata (raw rows -> clean rows), credits (cast, directors),
derived (completion and agreement), ratings (MovieLens ratings -> TMDB ids), links (where to watch), pipeline
(the run), eda/ (its EDA section).
"""
