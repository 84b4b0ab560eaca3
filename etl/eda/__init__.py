"""Exploratory data analysis of each catalog's clean tables: `python -m etl.eda [--catalog NAME|all]`.

The builder (build.py) runs each catalog's EDA section (etl/<name>/eda/: data, stats, figures, captions, the same
parts in every catalog) and writes reports/<name>/; with every catalog it adds the catalogs side by side
(compare.py) and the index reports/eda.json. What the sections share lives here: ratings.py (the ratings as codes
and the item-signal tests), plots.py (figure registry and rendering), words.py (numbers in words, captions).
No section imports another: a comparison takes their numbers.
"""
