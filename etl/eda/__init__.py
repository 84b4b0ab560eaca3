"""Exploratory data analysis of data/processed: `python -m etl.eda [--processed-dir DIR] [--out DIR] [--quiet]`.

The statistics are computed once (stats.py) into one strict-JSON dict, written to reports/eda.json under "numbers";
the figures (figures.py) draw from it, and the captions and eda.md (captions.py) interpolate its numbers, as does
the model card (model/card.py reads eda.json). data.py loads and checks the input; build.py runs it all and writes
the outputs atomically; __main__.py is the command line. Bad or missing input: one line naming the file, exit 2.
"""
from etl.eda.build import eda_json, figure_entries, run
from etl.eda.captions import markdown
from etl.eda.data import EdaData, load
from etl.eda.figures import FIGURES
from etl.eda.stats import compute, item_signal

__all__ = ["FIGURES", "EdaData", "compute", "eda_json", "figure_entries", "item_signal", "load", "markdown", "run"]
