"""Exploratory data analysis of data/processed: `python -m etl.eda [--processed-dir DIR] [--out DIR] [--quiet]`.

The statistics are computed once (stats.py) into one strict-JSON dict, written to reports/eda.json under "numbers";
the figures (figures.py) draw from it, and the captions and eda.md (captions.py) interpolate its numbers, as does
the model card (model/card.py reads eda.json). data.py loads and checks the input; build.py runs it all and writes
the outputs atomically; __main__.py is the command line. Bad or missing input: one line naming the file, exit 2.

The Movies catalog (data/processed/movies/, issue #12) is analysed by the same command when movies.parquet exists:
movies_data.py loads it (its ratings as an EdaData, so that `item_signal` runs on them unchanged), movies_stats.py
computes numbers["movies"], movies_figures.py and movies_captions.py draw and caption it, with the side-by-side
figures of both catalogs' item signal. Each eda.json figure entry names its "catalog": streaming, movies or both.
"""
from etl.eda.build import eda_json, figure_entries, run
from etl.eda.captions import markdown
from etl.eda.data import EdaData, load
from etl.eda.figures import FIGURES
from etl.eda.movies_data import MoviesData, load_movies
from etl.eda.movies_figures import MOVIES_FIGURES
from etl.eda.movies_stats import compute_movies
from etl.eda.stats import compute, item_signal

__all__ = ["FIGURES", "MOVIES_FIGURES", "EdaData", "MoviesData", "compute", "compute_movies", "eda_json",
           "figure_entries", "item_signal", "load", "load_movies", "markdown", "run"]
