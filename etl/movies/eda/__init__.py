"""The movies catalog's EDA section, in the parts every section has: data (load), stats (compute), figures
(FIGURES), captions (CAPTIONS, markdown). etl/eda/build.py runs it; its ratings as EdaData (`ratings`) go into the
catalogs' comparison."""
from etl.eda.ratings import EdaData
from etl.movies.eda.captions import CAPTIONS, markdown
from etl.movies.eda.data import load
from etl.movies.eda.figures import FIGURES
from etl.movies.eda.stats import compute

__all__ = ["CAPTIONS", "FIGURES", "compute", "load", "markdown", "ratings"]


def ratings(data) -> EdaData:
    return data.ratings
