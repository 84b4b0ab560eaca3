"""The streaming catalog's figures: each draws what its statistics dict (stats.py) measured.

A figure reads its numbers (counts, medians, fences, correlations) from the stats dict; it touches the loaded data
only for values it plots one by one (histograms, scatter points, the ETL's list of fixes). Every number a caption
or an annotation prints comes from the stats dict, so a figure never disagrees with eda.json.
`FIGURES` lists them in report order; etl.eda.plots.render(FIGURES, name, stats, data) returns the PNG bytes.
"""
from __future__ import annotations

import textwrap
from functools import partial

import numpy as np
import pandas as pd

from config import COL_PLATFORM, PLATFORMS
from etl.eda import plots
from etl.eda.plots import NOTE_BOX, PLOT_SAMPLE, Figure
from etl.eda.ratings import EdaData, split_half_means
from etl.eda.words import number
from etl.streaming.eda import stats as eda_stats

FIXES_SHOWN = 30
PLATFORM_COLORS = {"amazon": "#1f77b4", "disney": "#9467bd", "hulu": "#2ca02c", "netflix": "#d62728"}
TYPE_COLORS = {"movie": "#4c72b0", "tv show": "#dd8452"}

FIGURES: dict[str, Figure] = {}
figure = partial(plots.figure, FIGURES)


def _platform_name(key: str) -> str:
    return PLATFORMS[key][2]


# -------------------------------------------------------------------------------------------------- titles

@figure("titles_per_platform", "Titles per platform and type")
def titles_per_platform(ax, stats: dict, data: EdaData) -> None:
    per_type = stats["titles_per_platform_and_type"]
    x = np.arange(len(per_type))
    for offset, kind in ((-0.2, "movie"), (0.2, "tv show")):
        bars = ax.bar(x + offset, [counts.get(kind, 0) for counts in per_type.values()], width=0.4, label=kind,
                      color=TYPE_COLORS[kind])
        ax.bar_label(bars, fmt="{:,.0f}", fontsize=9)
    ax.set_xticks(x, [_platform_name(p) for p in per_type])
    ax.set_xlabel("platform")
    ax.set_ylabel("number of titles")
    ax.legend(title="type")


@figure("release_years", "Release years per platform")
def release_years(ax, stats: dict, data: EdaData) -> None:
    years = stats["release_year"]
    bins = np.arange(years["min"], years["max"] + 2)
    for platform, group in data.titles.groupby(COL_PLATFORM):
        ax.hist(group["release_year"], bins=bins, histtype="step", linewidth=1.6,
                color=PLATFORM_COLORS[platform], label=_platform_name(platform))
    ax.set_yscale("log")
    ax.set_xlabel("release year")
    ax.set_ylabel("titles released that year (log scale)")
    ax.legend()


@figure("date_added", "Titles added per quarter, by platform")
def date_added(ax, stats: dict, data: EdaData) -> None:
    titles = data.titles
    added = pd.to_datetime(titles["date_added"], format="%Y-%m-%d", errors="coerce")
    quarters = added.dt.to_period("Q")
    dated = stats["date_added"]["dated_per_platform"]
    for platform in PLATFORMS:
        mine = quarters[(titles[COL_PLATFORM] == platform) & added.notna()]
        if mine.empty:
            continue
        counts = mine.value_counts().sort_index()
        ax.plot(counts.index.to_timestamp(), counts.to_numpy(), marker=".", color=PLATFORM_COLORS[platform],
                label=f"{_platform_name(platform)} ({dated[platform]:,} dated)")
    ax.set_xlabel("date added to the platform (quarter)")
    ax.set_ylabel("titles added in the quarter")
    ax.legend()


@figure("durations", "Durations: movies in minutes, TV shows in seasons", ncols=2, size=(9, 5.2))
def durations(axes, stats: dict, data: EdaData) -> None:
    left, right = axes
    d = stats["durations"]
    minutes = eda_stats.movie_minutes(data.titles)
    left.hist(minutes, bins=np.arange(0, minutes.max() + 10, 10) if len(minutes) else 10, color=TYPE_COLORS["movie"])
    left.set_yscale("log")
    left.set_xlabel("movie duration (minutes)")
    left.set_ylabel("movies (log scale)")
    left.set_title(f"{d['movies_with_minutes']:,} movies (median {number(d['movie_minutes_median'], '.0f')} min)",
                   fontsize=10)
    note = "longest:\n" + "\n".join(f"{m['minutes']} min  {m['title'][:30]} ({m['platform']})"
                                    for m in d["movies_longest"])
    if d["movie_minutes_far_out_fence"] is not None:
        left.axvline(d["movie_minutes_far_out_fence"], color="grey", linestyle="--", linewidth=1)
        note = f"dashed: far-out fence, {d['movie_minutes_far_out_fence']:.0f} min\n" + note
    left.set_ylim(top=left.get_ylim()[1] * 60)  # headroom for the names
    left.text(0.98, 0.97, note, transform=left.transAxes, ha="right", va="top", fontsize=7, bbox=NOTE_BOX)

    seasons, counts = np.unique(eda_stats.show_seasons(data.titles), return_counts=True)
    right.bar(seasons, counts, color=TYPE_COLORS["tv show"])
    right.set_yscale("log")
    right.set_xlabel("number of seasons")
    right.set_ylabel("TV shows (log scale)")
    right.set_title(f"{d['shows']:,} TV shows ({number(d['shows_one_season_share'], '.0%')} have one season)",
                    fontsize=10)
    right.set_ylim(top=right.get_ylim()[1] * 30)
    right.text(0.98, 0.97, "most seasons:\n" + "\n".join(f"{s['seasons']}  {s['title'][:24]} ({s['platform']})"
                                                         for s in d["shows_most_seasons"]),
               transform=right.transAxes, ha="right", va="top", fontsize=7, bbox=NOTE_BOX)


def _heatmap(ax, share: pd.DataFrame, counts: pd.DataFrame | None, cmap: str, label: str, dark_above: float,
             fontsize: int) -> None:
    """A rows x platforms grid of shares, each cell labelled with its share (and count)."""
    image = ax.imshow(share.to_numpy(), aspect="auto", cmap=cmap, vmin=0, vmax=1 if counts is None else None)
    for i in range(share.shape[0]):
        for j in range(share.shape[1]):
            value = share.iat[i, j]
            if counts is not None and not counts.iat[i, j]:
                continue
            text = f"{value:.0%}" if counts is None else f"{value:.0%} ({counts.iat[i, j]:,})"
            ax.text(j, i, text, ha="center", va="center", fontsize=fontsize,
                    color="white" if value > dark_above else "black")
    ax.set_xticks(range(share.shape[1]), [_platform_name(p) for p in share.columns])
    ax.set_yticks(range(share.shape[0]), share.index)
    ax.set_xlabel("platform")
    ax.figure.colorbar(image, ax=ax, label=label)


@figure("maturity_ratings", "Maturity ratings per platform (share of each platform's titles)", size=(9, 7))
def maturity_ratings(ax, stats: dict, data: EdaData) -> None:
    counts = pd.DataFrame.from_dict(stats["maturity_ratings"]["titles_per_rating_and_platform"], orient="index")
    _heatmap(ax, counts / counts.sum(axis=0), counts, "Blues", "share of the platform's titles", 0.2, 8)
    ax.set_ylabel("maturity rating")


def _stacked_bars(ax, per_platform: dict[str, dict[str, int]]) -> None:
    table = pd.DataFrame.from_dict(per_platform, orient="index")
    left = np.zeros(len(table))
    for platform in table.columns:
        ax.barh(table.index, table[platform], left=left, color=PLATFORM_COLORS[platform],
                label=_platform_name(platform))
        left += table[platform].to_numpy()
    ax.invert_yaxis()
    ax.legend(loc="lower right")


@figure("top_genres", f"Top {eda_stats.TOP_GENRES} genres (listed_in), by platform", size=(9, 7))
def top_genres(ax, stats: dict, data: EdaData) -> None:
    _stacked_bars(ax, stats["top_genres"])
    ax.set_xlabel("titles listed in the genre")
    ax.set_ylabel("genre")


@figure("top_countries", f"Top {eda_stats.TOP_COUNTRIES} production countries, by platform", size=(9, 6))
def top_countries(ax, stats: dict, data: EdaData) -> None:
    _stacked_bars(ax, stats["top_countries"])
    ax.set_xscale("log")
    ax.set_xlabel("titles produced (partly) in the country (log scale)")
    ax.set_ylabel("country")


@figure("missing_values", "Missing values per column and platform")
def missing_values(ax, stats: dict, data: EdaData) -> None:
    share = pd.DataFrame.from_dict(stats["missing_share"], orient="index")
    _heatmap(ax, share, None, "Reds", "share of titles with the value missing", 0.5, 9)
    ax.set_ylabel("column")


# ------------------------------------------------------------------------------------------------- ratings

@figure("ratings_distribution", "Distribution of ratings")
def ratings_distribution(ax, stats: dict, data: EdaData) -> None:
    dist = stats["ratings_distribution"]
    stars, counts = np.array(dist["stars"]), np.array(dist["counts"])
    bars = ax.bar(stars, counts / 1e6, width=0.4, color=["#4c72b0" if s % 1 == 0 else "#8fa8d0" for s in stars])
    ax.bar_label(bars, labels=[f"{share:.1%}" for share in dist["shares"]], fontsize=8)
    ax.set_xticks(stars)
    ax.set_xlabel("rating (stars)")
    ax.set_ylabel("ratings (millions)")
    ax.text(0.02, 0.95, f"mean {stats['rating_mean']:.2f}, std {stats['rating_std']:.2f}\n"
            f"{dist['between_half_stars']:,} ratings between half stars\n(the mean of a user's repeated ratings)",
            transform=ax.transAxes, va="top", fontsize=9)


@figure("ratings_per_user_and_title", "Ratings per user (long tail) and per title (no tail)", ncols=2)
def ratings_per_user_and_title(axes, stats: dict, data: EdaData) -> None:
    left, right = axes
    per_user, per_title = stats["ratings_per_user"], stats["ratings_per_title"]
    left.hist(np.bincount(data.users), bins=np.logspace(0, np.log10(per_user["max"] + 1), 40), color="#4c72b0")
    left.set_xscale("log")
    left.set_yscale("log")
    left.set_xlabel("ratings by one user (log scale)")
    left.set_ylabel("users (log scale)")
    left.set_title(f"{stats['users']:,} users: median {per_user['median']:.0f}, max {per_user['max']:,}",
                   fontsize=10)

    right.hist(np.bincount(data.items, minlength=len(data.titles)), bins=40, color="#dd8452", density=True,
               label="titles")
    mean = per_title["mean"]
    grid = np.linspace(per_title["min"], per_title["max"], 200)
    right.plot(grid, np.exp(-(grid - mean) ** 2 / (2 * mean)) / np.sqrt(2 * np.pi * mean), color="black",
               label=f"Poisson({mean:.0f}) (normal approx.)")
    right.set_xlabel("ratings of one title")
    right.set_ylabel("share of titles (density)")
    right.set_title(f"{stats['titles']:,} titles: {per_title['min']}-{per_title['max']} ratings each", fontsize=10)
    right.legend(fontsize=8)


@figure("rating_timestamps", "Timestamped ratings by year, against the rated title's release year")
def rating_timestamps(ax, stats: dict, data: EdaData) -> None:
    ax.set_ylabel("timestamped ratings")
    if not stats["timestamped_ratings"]:  # the ETL accepts ratings files without timestamps
        ax.text(0.5, 0.5, "no rating has a timestamp", ha="center", va="center", transform=ax.transAxes)
        ax.set_xlabel("year")
        return
    first = min(stats["timestamp_years"]["first"], 1990)  # from 1990 at least: the release years start later
    years = np.arange(first, stats["release_year"]["max"] + 2)
    ax.hist(data.rating_years, bins=years, alpha=0.7, color="#4c72b0", label="year of the rating")
    ax.hist(data.rated_release_years, bins=years, histtype="step", linewidth=1.6, color="#d62728",
            label="release year of the rated title")
    ax.set_xlabel(f"year (from {first})")
    ax.legend(loc="upper left")


@figure("title_wordcloud", "Word cloud of titles (common English words removed)")
def title_wordcloud(ax, stats: dict, data: EdaData) -> None:
    from wordcloud import WordCloud  # imported here: only this figure needs it

    cloud = WordCloud(width=900, height=450, background_color="white", random_state=stats["item_signal"]["seed"],
                      **eda_stats.cloud_settings()).generate_from_frequencies(stats["title_words"])
    ax.imshow(cloud.to_array(), interpolation="bilinear")
    ax.set_axis_off()  # a word cloud has no axes: word size is the frequency


@figure("etl_fixes", f"Quirks the ETL found and fixed (top {FIXES_SHOWN} by count)", size=(9, 8.5))
def etl_fixes(ax, stats: dict, data: EdaData) -> None:
    fixes = pd.DataFrame(data.etl_report["fixes"])
    short_file = fixes["file"].str.replace("titles/", "").str.replace(r"_titles\.csv|_plus|_prime", "", regex=True)
    fixes = (fixes.assign(label=(short_file + " " + fixes["column"] + ": " + fixes["fix"]).map(
                 lambda text: textwrap.shorten(text, width=70, placeholder=" …")))
             .loc[lambda f: f["fix"] != "text lower-cased"]  # on nearly every text value: it would dwarf the rest
             .sort_values("count", ascending=False, kind="stable").head(FIXES_SHOWN))
    ax.barh(fixes["label"], fixes["count"], color="#55a868")
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.set_xlabel("values changed (log scale)")
    ax.set_ylabel("file, column: fix")
    ax.tick_params(axis="y", labelsize=7)


# --------------------------------------------------------------------------------------------- item signal

figure("item_signal_shuffle", "Spread of mean ratings: observed vs after shuffling the ratings",
       ncols=2)(plots.item_signal_shuffle)


@figure("item_signal_split_half", "Split-half agreement: per-title means vs per-user means", ncols=2)
def item_signal_split_half(axes, stats: dict, data: EdaData) -> None:
    s = stats["item_signal"]
    halves = split_half_means(data, s["seed"])
    rng = np.random.default_rng(s["seed"])
    for ax, who in zip(axes, ("titles", "users"), strict=True):
        a, b = halves[who]
        shown = rng.choice(len(a), size=min(PLOT_SAMPLE, len(a)), replace=False)
        ax.scatter(a[shown], b[shown], s=4, alpha=0.35, color="#4c72b0" if who == "titles" else "#dd8452")
        if len(shown):
            low, high = min(a[shown].min(), b[shown].min()), max(a[shown].max(), b[shown].max())
            ax.plot([low, high], [low, high], color="black", linewidth=0.8, linestyle="--")
        ax.set_xlabel("mean rating, random half A")
        ax.set_ylabel("mean rating, random half B")
        ax.set_title(f"{who}: r = {number(s[f'split_half_r_{who}'], '.3f')} (n = {s[f'split_half_n_{who}']:,}; "
                     f"{len(shown):,} plotted)", fontsize=10)
        ax.set_aspect("equal", adjustable="datalim")
