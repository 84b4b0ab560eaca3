# Two commands for a fresh machine: `make run` (set up, build what is missing, serve) and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
export GRADIO_ANALYTICS_ENABLED := False
export HF_HUB_DISABLE_TELEMETRY := 1
export HF_HUB_DISABLE_XET := 1

.PHONY: run test test-fast lint setup data model eda bench clean

# The project installs editable with its [dev] extra; pyproject.toml reads both requirements files.
$(VENV)/.installed: requirements.txt requirements-dev.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

setup: $(VENV)/.installed

data/processed/titles.parquet: | setup
	$(PY) -m etl --catalog streaming

data/processed/movies/movies.parquet: | setup
	$(PY) -m etl --catalog movies

artifacts/manifest.json: data/processed/titles.parquet reports/eda.md | setup
	$(PY) -m model.train

# The Movies catalog's model (artifacts/movies/; a streaming retrain keeps it). Needs RAW_DIR's tmdb/ratings_small.csv.
artifacts/movies/manifest.json: data/processed/movies/movies.parquet | setup
	$(PY) -m model.train --catalog movies

reports/eda.md: data/processed/titles.parquet | setup
	$(PY) -m etl.eda

data: data/processed/titles.parquet data/processed/movies/movies.parquet
model: artifacts/manifest.json artifacts/movies/manifest.json
eda: reports/eda.md

run: setup data model eda
	$(PY) app.py

# Browser tests need Debian's chromium; install it once when it is missing.
/usr/bin/chromium:
	(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null

test: setup /usr/bin/chromium
	$(PY) -m pytest

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

clean:
	rm -rf data/processed artifacts reports
