"""ETL refuses cut-off or abnormal inputs: exit 2, one line, earlier outputs intact.

A catalog CSV cut in the middle of a row used to be read as a smaller valid catalog, and the ratings of the
lost titles quarantined by the million. Now a file that ends mid-row, a short last row, an unclosed quote,
far fewer rows than the previous run read, or a quarantine above the file's declared limit stops the run.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import config
import settings
from catalog import STREAMING
from etl.__main__ import main as etl_main
from tests.conftest import require
from tests.harness.cli import run_main

HEADER = "show_id,type,title,director,cast,country,date_added,release_year,rating,duration,listed_in,description\n"


def row(i: int) -> str:
    return (f's{i},Movie,Film {i},Jane Doe,"Ann, Bob",France,"March 30, 2021",2014,PG,113 min,"Comedy, Drama",'
            f'"A plot\nover two lines."\n')


def write_raw(root: Path, netflix: str, n_ratings_per_title: int = 1, netflix_rated: int = 40) -> Path:
    """Four catalogs (netflix as given, one row elsewhere) and ratings of ns1..ns<netflix_rated> and the rest."""
    (root / "titles").mkdir(parents=True, exist_ok=True)
    (root / "ratings").mkdir(exist_ok=True)
    for platform, (_, file_name, _) in config.PLATFORMS.items():
        text = netflix if platform == "netflix" else HEADER + row(1)
        (root / "titles" / file_name).write_text(text, encoding="utf-8")
    ids = [f"ns{i}" for i in range(1, netflix_rated + 1)] + ["as1", "ds1", "hs1"]
    ratings = pd.DataFrame({"userId": range(1, len(ids) * n_ratings_per_title + 1),
                            "movieId": ids * n_ratings_per_title, "rating": 4.0})
    ratings.to_parquet(root / "ratings" / "1.parquet")
    return root


def etl(raw: Path, out: Path, *options: str) -> subprocess.CompletedProcess:
    """`python -m etl` on these directories, in this process."""
    return run_main(etl_main, ["--quiet", "--raw-dir", str(raw), "--out", str(out), *options])


def etl_process(raw: Path, out: Path) -> subprocess.CompletedProcess:
    """The same as a real process, as a shell runs it."""
    return subprocess.run([sys.executable, "-m", "etl", "--quiet", "--catalog", "streaming", "--raw-dir", str(raw),
                           "--out", str(out)], capture_output=True, text=True, cwd=config.PROJ_ROOT)


def snapshot(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in (out / STREAMING.name).iterdir()}


FULL = HEADER + "".join(row(i) for i in range(1, 41))
ROW_40_START = FULL.index("s40,")

CUTS = {
    # inside the quoted description (which spans two lines), with and without a final newline
    "inside a quoted field": (FULL[:FULL.index("over two", ROW_40_START) + 4], "no final newline"),
    "inside a quoted field, after its embedded newline": (FULL[:FULL.index("over two", ROW_40_START)],
                                                          "quoted field is not closed"),
    # after the complete cast field of the last row
    "at a field boundary": (FULL[:FULL.index("France", ROW_40_START)], "no final newline"),
    "at a field boundary, newline added": (FULL[:FULL.index("France", ROW_40_START) - 1] + "\n",
                                           "the record ending on line 80 has 5 fields, the header 12"),
}


@pytest.mark.parametrize("cut", CUTS)
def test_a_cut_off_catalog_csv_is_refused_and_earlier_outputs_stay(tmp_path, cut):
    out = tmp_path / "out"
    assert etl(write_raw(tmp_path / "raw", FULL), out).returncode == 0
    before = snapshot(out)
    text, message = CUTS[cut]
    result = etl(write_raw(tmp_path / "raw", text), out)
    assert result.returncode == 2, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "netflix_titles.csv" in result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr
    assert snapshot(out) == before


def test_whole_rows_missing_at_a_line_boundary_are_caught_by_the_previous_runs_count(tmp_path):
    out = tmp_path / "out"
    assert etl(write_raw(tmp_path / "raw", FULL), out).returncode == 0
    before = snapshot(out)
    shorter = FULL[:FULL.index("s30,")]  # ends at a line boundary: a complete, shorter file
    result = etl(write_raw(tmp_path / "raw", shorter, netflix_rated=29), out)
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1
    assert "titles/netflix_titles.csv: 29 rows where the previous run read 40" in result.stderr
    assert snapshot(out) == before
    # an intended drop is accepted when said so
    assert etl(write_raw(tmp_path / "raw", shorter, netflix_rated=29), out, "--accept-row-drop").returncode == 0


def test_an_abnormally_large_quarantine_fails_the_run(tmp_path):
    # No previous run to compare with: the ratings of the 11 lost titles (x 10) point at no catalog title.
    shorter = FULL[:FULL.index("s30,")]
    out = tmp_path / "out"
    result = etl(write_raw(tmp_path / "raw", shorter, n_ratings_per_title=10), out)
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1
    assert "ratings/1.parquet: 110 of 430 rows quarantined" in result.stderr
    assert "mostly 'movieId is not a catalog title' (110)" in result.stderr
    assert not (out / STREAMING.name / config.TITLES_FILE).exists()


def test_a_few_quarantined_rows_stay_within_the_allowance(tmp_path):
    # One lost title, one rating each: the row is quarantined and reported, the run succeeds.
    result = etl(write_raw(tmp_path / "raw", FULL[:FULL.index("s40,")], n_ratings_per_title=1), tmp_path / "out")
    assert result.returncode == 0, result.stderr


# ---- the real netflix catalog, cut at many points ----------------------------------------------------------

@pytest.fixture(scope="module")
def real_raw(tmp_path_factory) -> Path:
    """The four real catalogs (copied to a temporary directory) and one rating per real title."""
    source = settings.raw_dir() / "titles"
    root = tmp_path_factory.mktemp("real-raw")
    (root / "titles").mkdir()
    (root / "ratings").mkdir()
    ids = []
    for _, (letter, file_name, _) in config.PLATFORMS.items():
        text = require(source / file_name).read_text(encoding="utf-8")
        (root / "titles" / file_name).write_text(text, encoding="utf-8")
        ids += [letter + s.lower() for s in pd.read_csv(source / file_name, dtype=str)["show_id"]]
    pd.DataFrame({"userId": range(1, len(ids) + 1), "movieId": ids, "rating": 3.5}).to_parquet(
        root / "ratings" / "1.parquet")
    return root


def _netflix_cuts(text: str) -> dict[str, str]:
    middle = text.index("\ns4466,") + 1
    cast_start = text.index(',"', text.index(",", text.index(",", middle) + 1) + 1)  # the quoted cast of that row
    cast_end = text.index('",', cast_start + 2) + 1
    lines_kept = text[:middle]
    rest = text[middle:]
    return {
        "inside the quoted cast": text[:cast_start + 10],
        "after the complete cast field": text[:cast_end],
        "after the complete cast field, newline added": text[:cast_end] + "\n",
        "at a line boundary": lines_kept,
        "whole rows missing from the middle": lines_kept[: len(lines_kept) // 2].rsplit("\ns", 1)[0] + "\n"
                                               + rest,
    }


@pytest.mark.slow
def test_the_real_netflix_catalog_cut_anywhere_is_refused(real_raw, tmp_path):
    netflix = real_raw / "titles" / config.PLATFORMS["netflix"][1]
    full = netflix.read_text(encoding="utf-8")
    out = tmp_path / "out"
    assert etl(real_raw, out).returncode == 0
    before = snapshot(out)
    try:
        for name, text in _netflix_cuts(full).items():
            netflix.write_text(text, encoding="utf-8")
            result = etl_process(real_raw, out)
            assert result.returncode == 2, (name, result.stderr)
            assert len(result.stderr.strip().splitlines()) == 1, (name, result.stderr)
            assert snapshot(out) == before, name
            # without a previous run, the cut is still refused (by the file's shape or the quarantine limit)
            fresh = etl(real_raw, tmp_path / f"fresh-{len(text)}")
            assert fresh.returncode == 2, (name, fresh.stderr)
    finally:
        netflix.write_text(full, encoding="utf-8")
