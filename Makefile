# Two commands for a fresh machine: `make run` (set up, build what is missing, serve) and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
export GRADIO_ANALYTICS_ENABLED := False
export HF_HUB_DISABLE_TELEMETRY := 1
export HF_HUB_DISABLE_XET := 1

.PHONY: run test test-fast lint setup setup-spark java data model eda bench bench-spark clean

# The project installs editable with its [dev] extra; pyproject.toml reads the requirements files.
$(VENV)/.installed: requirements.txt requirements-dev.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

# The Spark engine's [spark] extra (pyspark; not in the Space's requirements.txt) for the tests and bench.spark.
$(VENV)/.installed-spark: $(VENV)/.installed requirements-spark.txt
	$(PY) -m pip install --quiet -e ".[dev,spark]"
	touch $@

setup-spark: $(VENV)/.installed-spark java

# Spark needs a Java runtime; install Debian's openjdk-17-jre-headless once when `java` is missing.
java:
	@command -v java >/dev/null 2>&1 || [ -x "$$JAVA_HOME/bin/java" ] || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless) >/dev/null

setup: $(VENV)/.installed

# Each catalog's clean tables in data/processed/<name>/, its EDA in reports/<name>/ (names from catalog/*.py).
data/processed/streaming/titles.parquet: | setup
	$(PY) -m etl --catalog streaming

data/processed/movies/movies.parquet: | setup
	$(PY) -m etl --catalog movies

# Each catalog's model in artifacts/<name>/, side by side (the Movies one needs RAW_DIR's tmdb/ratings_small.csv).
artifacts/streaming/manifest.json: data/processed/streaming/titles.parquet reports/eda.md | setup
	$(PY) -m model.train --catalog streaming

artifacts/movies/manifest.json: data/processed/movies/movies.parquet | setup
	$(PY) -m model.train --catalog movies

# Every catalog's EDA and the catalogs side by side (reports/eda.md is the index).
reports/eda.md: data/processed/streaming/titles.parquet data/processed/movies/movies.parquet | setup
	$(PY) -m etl.eda --catalog all

data: data/processed/streaming/titles.parquet data/processed/movies/movies.parquet
model: artifacts/streaming/manifest.json artifacts/movies/manifest.json
eda: reports/eda.md

run: setup data model eda
	$(PY) app.py

# Browser tests need Debian's chromium; install it once when it is missing.
/usr/bin/chromium:
	(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null

# Every extra is installed here, so a test needing one fails instead of skipping when it is missing.
test: setup setup-spark /usr/bin/chromium
	REQUIRE_EXTRAS=1 $(PY) -m pytest

# The edit-test loop: small fixtures only, under a minute.
test-fast: setup
	$(PY) -m pytest -m "not slow" -q

lint: setup
	$(PY) -m ruff check .

bench: setup data
	$(PY) -m bench.etl
	$(PY) -m bench.movies_etl
	$(PY) -m bench.queries
	$(PY) -m bench.movies_queries
	$(PY) -m bench.search
	$(PY) -m bench.model
	$(PY) -m bench.movie_recommender
	$(PY) -m bench.app
	$(PY) -m bench.load

# Time, memory and RMSE of both engines on 1M-60M ratings (bench/spark.py); over an hour on 2 cores.
bench-spark: setup-spark data
	$(PY) -m bench.spark

clean:
	rm -rf data/processed artifacts reports
