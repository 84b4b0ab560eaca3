"""The EDA builder (etl/eda/) and the parts every catalog's section shares: each declared catalog has a section of
the same parts (data, stats, figures, captions) whose figures all draw and whose eda.json is strict JSON with a
caption per figure (fast, on each section's hand-made data); the shared statistics; the catalogs side by side; the
command line's errors (one line, exit 2); and `python -m etl.eda` on the real data (slow): every figure of every
catalog a readable PNG, listed in the index the app's Data tab reads, captions regenerated from eda.json alone."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import config
from catalog import CATALOGS, MOVIES, STREAMING
from etl.eda import compare, plots
from etl.eda.__main__ import main as eda_main
from etl.eda.build import eda_json, figure_entries, section
from etl.eda.ratings import check_json_ready, item_signal
from tests.etl.test_eda_movies import small_movies_data
from tests.etl.test_eda_streaming import small_data
from tests.harness.cli import run_main
from tests.harness.eda_checks import PNG_SIGNATURE, png_size, reject_constant, run_eda

# Each catalog's hand-made data, built by its own section's tests.
SMALL_DATA = {STREAMING.name: small_data, MOVIES.name: small_movies_data}
SECTION_PARTS = ("load", "compute", "FIGURES", "CAPTIONS", "markdown", "ratings")


@pytest.fixture(scope="module")
def small() -> dict[str, tuple[dict, object]]:
    """{catalog name: (its numbers, its data)} for every section, on the hand-made data."""
    out = {}
    for name, make in SMALL_DATA.items():
        data = make()
        out[name] = (section(name).compute(data, n_shuffles=2), data)
    return out


# ---- every section has the same parts -----------------------------------------------------------------------

def test_every_declared_catalog_has_a_section_of_the_same_parts():
    assert set(SMALL_DATA) == {spec.name for spec in CATALOGS}
    for spec in CATALOGS:
        module = section(spec.name)
        assert all(hasattr(module, part) for part in SECTION_PARTS), spec.name
        assert list(module.CAPTIONS) == list(module.FIGURES), spec.name  # one caption per figure, same order


@pytest.mark.parametrize("name", SMALL_DATA)
def test_eda_json_is_strict_json_with_a_caption_for_every_figure(small, name):
    module, (numbers, _) = section(name), small[name]
    entries = figure_entries(name, numbers, module.FIGURES, module.CAPTIONS)
    parsed = json.loads(eda_json(numbers, entries), parse_constant=reject_constant)
    assert parsed["numbers"] == numbers and parsed["figures"] == entries
    assert all(e["caption"].strip() and e["catalog"] == name for e in entries)
    assert {e["file"] for e in entries} == {f"figures/{fig}.png" for fig in module.FIGURES}
    with pytest.raises(ValueError):  # a NaN that slipped past the statistics still never reaches the file
        eda_json({**numbers, "broken": float("nan")}, entries)


@pytest.mark.parametrize("name", SMALL_DATA)
def test_every_figure_draws_and_the_report_shows_it_with_its_caption(small, name):
    module, (numbers, data) = section(name), small[name]
    for fig in module.FIGURES:
        assert plots.render(module.FIGURES, fig, numbers, data)[:8] == PNG_SIGNATURE, fig
    entries = figure_entries(name, numbers, module.FIGURES, module.CAPTIONS)
    report = module.markdown(numbers, entries)
    for entry in entries:
        assert f"]({entry['file']})" in report and f"*{entry['caption']}*" in report


# ---- the shared statistics ----------------------------------------------------------------------------------

def test_check_json_ready_names_the_key_of_a_nan_or_a_numpy_value():
    with pytest.raises(ValueError, match=r"stats\.durations\.movie_minutes_median is nan"):
        check_json_ready({"durations": {"movie_minutes_median": float("nan")}})
    with pytest.raises(ValueError, match=r"stats\.counts\[1\] is a int64"):
        check_json_ready({"counts": [1, np.int64(2)]})
    check_json_ready({"a": [1, 2.5, None, "x", True], "b": {"c": -0.0}})


def test_item_signal_tells_a_planted_title_effect_from_none():
    planted = item_signal(small_data(title_effect=1.5, n_users=200), n_shuffles=3)
    assert planted["split_half_r_titles"] > 0.9 and planted["title_mean_std_ratio"] > 3
    assert planted["user_mean_std_ratio"] < 1.2  # no user effect planted
    users_only = item_signal(small_data(user_effect=1.5, n_users=200), n_shuffles=3)
    assert users_only["split_half_r_users"] > 0.8 and users_only["user_mean_std_ratio"] > 2
    assert users_only["title_mean_std_ratio"] < 1.2


# ---- the catalogs side by side ------------------------------------------------------------------------------

def compared(small) -> tuple[dict, dict]:
    numbers = {name: json.loads(json.dumps(n)) for name, (n, _) in small.items()}
    ratings = {name: section(name).ratings(data) for name, (_, data) in small.items()}
    return numbers, ratings


def test_the_comparison_draws_and_its_captions_follow_the_numbers(small):
    numbers, ratings = compared(small)
    registry = compare.figures(len(numbers))
    assert list(compare.CAPTIONS) == list(registry)
    for fig in registry:
        assert plots.render(registry, fig, numbers, ratings)[:8] == PNG_SIGNATURE, fig
    numbers[MOVIES.name]["item_signal"]["split_half_r_titles"] = 0.4321
    numbers[STREAMING.name]["item_signal"]["split_half_r_titles"] = 0.0123
    captions = {e["file"]: e["caption"] for e in figure_entries("all", numbers, registry, compare.CAPTIONS)}
    assert f"{MOVIES.name}: r = 0.432 over" in captions["figures/item_signal_split_half_both.png"]
    assert f"predicts the other half in {MOVIES.name}, not in {STREAMING.name}" in \
        captions["figures/item_signal_split_half_both.png"]
    assert f"{STREAMING.name} 0.012, {MOVIES.name} 0.432" in captions["figures/item_signal_both.png"]


def test_the_comparison_without_well_rated_items_still_reads(small):
    numbers, ratings = compared(small)
    numbers[MOVIES.name]["item_signal_well_rated"].update(movies=0, ratings=0, signal=None)
    registry = compare.figures(len(numbers))
    captions = [e["caption"] for e in figure_entries("all", numbers, registry, compare.CAPTIONS)]
    assert not any("ratings or more" in c for c in captions)
    assert plots.render(registry, "item_signal_both", numbers, ratings)[:8] == PNG_SIGNATURE


# ---- the command line ---------------------------------------------------------------------------------------

def test_a_catalog_not_built_exits_2_naming_how_to_build_it(tmp_path: Path):
    (tmp_path / "processed").mkdir()
    args = ["--quiet", "--catalog", MOVIES.name, "--processed-dir", str(tmp_path / "processed"), "--out",
            str(tmp_path / "out")]
    result = run_main(eda_main, args)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and f"python -m etl --catalog {MOVIES.name}" in lines[0], result.stderr
    assert not (tmp_path / "out").exists()


def test_unreadable_titles_file_exits_2_naming_it(tmp_path: Path):
    (tmp_path / STREAMING.name).mkdir()
    (tmp_path / STREAMING.name / config.TITLES_FILE).write_text("not parquet")
    result = run_main(eda_main, ["--quiet", "--catalog", STREAMING.name, "--processed-dir", str(tmp_path),
                                 "--out", str(tmp_path / "out")])
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and config.TITLES_FILE in lines[0], result.stderr


def test_output_path_that_is_a_file_exits_2_before_the_work(tmp_path: Path):
    (tmp_path / "out").write_text("a file")
    result = run_main(eda_main, ["--quiet", "--processed-dir", str(tmp_path / "nowhere"), "--out",
                                 str(tmp_path / "out")])
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert f"{tmp_path / 'out'}: not a directory" in result.stderr


def test_an_unknown_catalog_is_refused_listing_the_declared_ones(tmp_path: Path):
    result = run_main(eda_main, ["--catalog", "books", "--out", str(tmp_path / "out")])
    assert result.returncode == 2
    assert all(spec.name in result.stderr for spec in CATALOGS) and "all" in result.stderr


# ---- the real data (slow) -----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def index(eda_reports: Path) -> dict:
    return json.loads((eda_reports / "eda.json").read_text(encoding="utf-8"), parse_constant=reject_constant)


@pytest.mark.slow
def test_every_figure_of_every_catalog_is_a_readable_png_listed_in_the_index(eda_reports: Path, index: dict):
    assert index["catalogs"] == {spec.name: f"{spec.name}/eda.json" for spec in CATALOGS}
    expected = sum(len(section(spec.name).FIGURES) for spec in CATALOGS) + len(compare.figures(len(CATALOGS)))
    assert len(index["figures"]) == expected
    for figure in index["figures"]:
        path = eda_reports / figure["file"]
        assert path.stat().st_size > 10_000, f"{path} is nearly empty"
        width, height = png_size(path)
        assert 850 <= width <= 1000 and height >= 400, (path, width, height)
        assert figure["title"].strip() and figure["caption"].strip(), figure
    on_disk = {str(p.relative_to(eda_reports)) for p in eda_reports.rglob("*.png")}
    assert on_disk == {f["file"] for f in index["figures"]}
    assert not list(eda_reports.rglob(".*")), "temporary files left behind"
    report = (eda_reports / "eda.md").read_text(encoding="utf-8")
    assert all(f"]({spec.name}/eda.md)" in report for spec in CATALOGS)


@pytest.mark.slow
@pytest.mark.parametrize("name", [spec.name for spec in CATALOGS])
def test_captions_and_report_are_regenerated_from_eda_json_alone(eda_reports: Path, name: str):
    module, folder = section(name), eda_reports / name
    eda = json.loads((folder / "eda.json").read_text(encoding="utf-8"), parse_constant=reject_constant)
    assert figure_entries(name, eda["numbers"], module.FIGURES, module.CAPTIONS) == eda["figures"]
    assert module.markdown(eda["numbers"], eda["figures"]) == (folder / "eda.md").read_text(encoding="utf-8")


@pytest.mark.slow
def test_one_catalog_alone_writes_its_folder_and_no_comparison(streaming_processed: Path, tmp_path: Path):
    result = run_eda("--catalog", STREAMING.name, "--processed-dir", str(streaming_processed), "--out",
                     str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [STREAMING.name]
