"""The catalogs side by side: their item-signal tests in one figure each, drawn from every section's numbers.

Only the shared statistics are compared (etl/eda/ratings.py's item_signal, and a section's
"item_signal_well_rated" when it has one), so this module knows no catalog by name. `FIGURES` and `CAPTIONS`
take {catalog name: its numbers} and, for the scatter plots, {catalog name: its ratings as EdaData}.
"""
from __future__ import annotations

import numpy as np

from etl.eda import plots
from etl.eda.plots import PLOT_SAMPLE
from etl.eda.ratings import EdaData, split_half_means
from etl.eda.words import captions_registry, number

COLORS = ("#4c72b0", "#8172b2", "#55a868", "#dd8452", "#937860")
WELL_RATED_COLOR = "#c44e52"
SIGNAL_R = 0.2  # a split-half r above it: the catalog's per-item means say something about the item

CAPTIONS, caption = captions_registry()


def _well_rated(numbers: dict) -> dict | None:
    well = numbers.get("item_signal_well_rated")
    return well if well and well.get("signal") is not None else None


def _bars(numbers: dict[str, dict]) -> list[tuple[str, dict, str]]:
    """(label, item-signal dict, colour) of each catalog, and of its well-rated subset when it has one."""
    out = []
    for i, (name, n) in enumerate(numbers.items()):
        out.append((name, n["item_signal"], COLORS[i % len(COLORS)]))
        if well := _well_rated(n):
            out.append((f"{name}, the {well['movies']:,} with >= {well['min_ratings']} ratings", well["signal"],
                        WELL_RATED_COLOR))
    return out


def signal_both(axes, numbers: dict[str, dict], ratings: dict[str, EdaData]) -> None:
    left, right = axes
    bars_of = _bars(numbers)
    x, width = np.arange(2), 0.8 / len(bars_of)
    for ax, keys, label, spec in ((left, ("split_half_r_titles", "split_half_r_users"), "split-half correlation r",
                                   ".3f"),
                                  (right, ("title_mean_std_ratio", "user_mean_std_ratio"),
                                   "std of means, observed / shuffled", ".2f")):
        for i, (name, s, color) in enumerate(bars_of):
            values = [s[key] for key in keys]
            bars = ax.bar(x + (i - (len(bars_of) - 1) / 2) * width, [v or 0 for v in values], width=width,
                          color=color, label=name)
            ax.bar_label(bars, labels=[number(v, spec) for v in values], fontsize=7)
        ax.set_xticks(x, ["per item (title / movie)", "per user"])
        ax.set_ylabel(label)
        ax.legend(fontsize=8, loc="upper left")
    left.set_title("0 = no signal, 1 = the halves agree", fontsize=10)
    right.axhline(1, color="black", linestyle="--", linewidth=0.8)
    right.set_title("1 = no more spread than chance", fontsize=10)


def _split_half(ax, data: EdaData, signal: dict, color: str, label: str) -> None:
    a, b = split_half_means(data, signal["seed"])["titles"]
    shown = np.random.default_rng(signal["seed"]).choice(len(a), size=min(PLOT_SAMPLE, len(a)), replace=False)
    ax.scatter(a[shown], b[shown], s=4, alpha=0.3, color=color)
    ax.plot([0.5, 5], [0.5, 5], color="black", linewidth=0.8, linestyle="--")
    ax.set_xlim(0.3, 5.2)
    ax.set_ylim(0.3, 5.2)
    ax.set_aspect("equal")
    ax.set_xlabel("mean rating, random half A")
    ax.set_ylabel("mean rating, random half B")
    ax.set_title(f"{label}: r = {number(signal['split_half_r_titles'], '.3f')} "
                 f"(n = {signal['split_half_n_titles']:,}; {len(shown):,} plotted)", fontsize=10)


def split_half_both(axes, numbers: dict[str, dict], ratings: dict[str, EdaData]) -> None:
    for i, (ax, name) in enumerate(zip(np.atleast_1d(axes), numbers, strict=True)):
        _split_half(ax, ratings[name], numbers[name]["item_signal"], COLORS[i % len(COLORS)], name)


def figures(count: int) -> dict[str, plots.Figure]:
    """The comparison figures for `count` catalogs, in report order."""
    registry: dict[str, plots.Figure] = {}
    plots.figure(registry, "item_signal_both", "Item signal in each catalog's ratings", ncols=2)(signal_both)
    plots.figure(registry, "item_signal_split_half_both", "Split-half agreement of per-item means, catalog by "
                 "catalog", ncols=count)(split_half_both)
    return registry


def _with_well_rated(n: dict, key: str, spec: str) -> str:
    well = _well_rated(n)
    return (f" ({number(well['signal'][key], spec)} over the {well['movies']:,} items with {well['min_ratings']} "
            "ratings or more)") if well else ""


@caption("item_signal_both")
def _signal_both(numbers: dict[str, dict]) -> str:
    def each(key: str, spec: str, well: bool = True) -> str:
        return ", ".join(f"{name} {number(n['item_signal'][key], spec)}"
                         + (_with_well_rated(n, key, spec) if well else "") for name, n in numbers.items())
    return (f"Split-half r per item: {each('split_half_r_titles', '.3f')}; per user: "
            f"{each('split_half_r_users', '.3f', well=False)}. Observed / shuffled std of per-item means: "
            f"{each('title_mean_std_ratio', '.3f')}.")


@caption("item_signal_split_half_both")
def _split_half_both(numbers: dict[str, dict]) -> str:
    def r(n: dict) -> float | None:
        return n["item_signal"]["split_half_r_titles"]
    parts = [f"{name}: r = {number(r(n), '.3f')} over {n['item_signal']['split_half_n_titles']:,} items"
             + _with_well_rated(n, "split_half_r_titles", ".3f") for name, n in numbers.items()]
    signal = [name for name, n in numbers.items() if r(n) is not None and r(n) > SIGNAL_R]
    rest = [name for name in numbers if name not in signal]
    verdict = (f" An item's mean in one random half of its ratings predicts the other half in "
               f"{', '.join(signal) or 'no catalog'}" + (f", not in {', '.join(rest)}" if rest else "") + ".")
    return "; ".join(parts) + "." + verdict


def markdown(numbers: dict[str, dict], entries: list[dict]) -> str:
    """reports/eda.md: where each catalog's report is, then the comparison figures with their captions."""
    lines = ["# Exploratory data analysis", "",
             "Generated by `python -m etl.eda`; each catalog's report is in its folder:", ""]
    lines += [f"- [{name}]({name}/eda.md)" for name in numbers]
    lines += ["", "## The catalogs side by side", ""]
    for figure in entries:
        lines += [f"### {figure['title']}", "", f"![{figure['title']}]({figure['file']})", "",
                  f"*{figure['caption']}*", ""]
    return "\n".join(lines)
