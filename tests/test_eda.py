"""`python -m etl.eda` on the real processed data: every figure written, captioned and listed; the key numbers
show the ratings' missing item signal; bad input exits 2 with one line."""
from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
from pathlib import Path

import pytest

import config

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
ENV = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_DISABLE_TELEMETRY": "1",
       "HF_HUB_DISABLE_XET": "1", "MPLBACKEND": "Agg"}


def run_eda(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "etl.eda", "--quiet", *args], cwd=config.PROJ_ROOT, env=ENV,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def eda_out(processed_dir: Path, tmp_path_factory) -> Path:
    """The command run once on the session's real ETL output."""
    out = tmp_path_factory.mktemp("reports")
    result = run_eda("--processed-dir", str(processed_dir), "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="module")
def eda(eda_out: Path) -> dict:
    return json.loads((eda_out / "eda.json").read_text(encoding="utf-8"))


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE, f"{path} is not a PNG"
    return struct.unpack(">II", data[16:24])


@pytest.mark.slow
def test_every_figure_is_a_readable_png(eda_out: Path, eda: dict):
    from etl.eda import FIGURES

    assert len(eda["figures"]) == len(FIGURES) >= 14
    for figure in eda["figures"]:
        path = eda_out / figure["file"]
        assert path.stat().st_size > 10_000, f"{path} is nearly empty"
        width, height = png_size(path)
        assert 850 <= width <= 1000 and height >= 400, (path, width, height)
        assert figure["title"].strip() and figure["caption"].strip(), figure
    on_disk = {p.name for p in (eda_out / "figures").glob("*.png")}
    assert on_disk == {Path(f["file"]).name for f in eda["figures"]}
    assert not list(eda_out.rglob(".*")), "temporary files left behind"


@pytest.mark.slow
def test_the_figures_the_issue_asks_for(eda: dict):
    names = {Path(f["file"]).stem for f in eda["figures"]}
    assert {"titles_per_platform", "release_years", "date_added", "durations", "maturity_ratings", "top_genres",
            "top_countries", "missing_values", "ratings_distribution", "ratings_per_user_and_title",
            "title_wordcloud", "etl_fixes", "item_signal_shuffle", "item_signal_split_half"} <= names


@pytest.mark.slow
def test_report_embeds_every_figure_with_its_caption(eda_out: Path, eda: dict):
    report = (eda_out / "eda.md").read_text(encoding="utf-8")
    for figure in eda["figures"]:
        assert f"]({figure['file']})" in report
        assert f"*{figure['caption']}*" in report
    assert "no item signal" in report.lower()


@pytest.mark.slow
def test_numbers_show_no_item_signal_but_a_user_signal(eda: dict):
    n = eda["numbers"]
    assert n["titles"] == 22_998 and n["users"] == 115_077 and n["ratings"] > 10_000_000
    s = n["item_signal"]
    assert s["n_shuffles"] == len(s["title_mean_std_shuffled"]) >= 5
    # The observed spread of per-title means sits inside the shuffled (no-signal) spread ...
    assert s["title_mean_std"] == pytest.approx(s["title_mean_std_shuffled_mean"], rel=0.02)
    assert s["title_mean_std"] == pytest.approx(s["title_mean_std_expected"], rel=0.02)
    assert abs(s["split_half_r_titles"]) < 0.05
    # ... while users differ for real.
    assert s["user_mean_std_ratio"] > 1.5
    assert 0.5 < s["split_half_r_users"] < 0.9


@pytest.mark.slow
def test_duration_outliers_are_named(eda: dict):
    durations = eda["numbers"]["durations"]
    longest = durations["movies_longest"][0]
    assert longest["minutes"] > 500 and longest["title"] and longest["platform"] == "amazon"
    assert durations["shows_most_seasons"][0]["seasons"] >= 30


@pytest.mark.slow
def test_shuffles_are_seeded(processed_dir: Path, eda: dict):
    """A second run draws the same shuffles (the first two are enough to show it and keep the test quick)."""
    from etl.eda import item_signal, load

    again = item_signal(load(processed_dir), n_shuffles=2)
    assert again["title_mean_std_shuffled"] == eda["numbers"]["item_signal"]["title_mean_std_shuffled"][:2]
    assert again["title_mean_std"] == eda["numbers"]["item_signal"]["title_mean_std"]


@pytest.mark.slow
def test_ratings_without_timestamps_still_give_every_figure(processed_dir: Path, tmp_path: Path):
    import pandas as pd

    from etl.eda import FIGURES, run

    for name in (config.TITLES_FILE, config.ETL_REPORT_FILE):
        (tmp_path / name).write_bytes((processed_dir / name).read_bytes())
    ratings = pd.read_parquet(processed_dir / config.RATINGS_FILE).iloc[::20]
    ratings.assign(timestamp=pd.array([None] * len(ratings), dtype="Int64")).to_parquet(tmp_path / config.RATINGS_FILE)
    result = run(tmp_path, tmp_path / "out", quiet=True)
    assert len(result["figures"]) == len(FIGURES) and result["numbers"]["timestamped_ratings"] == 0
    assert "No rating has a timestamp" in (tmp_path / "out" / "eda.md").read_text()


@pytest.mark.slow
def test_output_path_that_is_a_file_exits_2_before_the_work(processed_dir: Path, tmp_path: Path):
    (tmp_path / "out").write_text("a file")
    result = run_eda("--processed-dir", str(processed_dir), "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [f"eda: error: {tmp_path / 'out'}: not a directory, so "
                                                  f"{tmp_path / 'out' / 'figures'} cannot be the output directory"]


def test_missing_processed_dir_exits_2_with_one_line(tmp_path: Path):
    result = run_eda("--processed-dir", str(tmp_path / "nowhere"), "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "nowhere" in lines[0] and "python -m etl" in lines[0], result.stderr
    assert not (tmp_path / "out").exists()


def test_unreadable_titles_file_exits_2_naming_it(tmp_path: Path):
    (tmp_path / config.TITLES_FILE).write_text("not parquet")
    result = run_eda("--processed-dir", str(tmp_path), "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and config.TITLES_FILE in lines[0], result.stderr
