"""The Movies catalog's figures: each draws what its statistics dict (stats.py) measured.

A figure reads its numbers from reports/movies/eda.json's "numbers" and touches the loaded data (data.MoviesData)
only for the values it plots one by one. `FIGURES` lists them in report order; etl.eda.plots.render(FIGURES, name,
numbers, data) returns the PNG bytes.
"""
from __future__ import annotations

from functools import partial

import numpy as np

from etl.eda import plots
from etl.eda.plots import NOTE_BOX, Figure
from etl.eda.ratings import cloud_settings
from etl.eda.words import number
from etl.movies import columns as mc
from etl.movies.eda.data import MoviesData

FIGURES: dict[str, Figure] = {}
movies_figure = partial(plots.figure, FIGURES)
MOVIES_COLOR, OUTLIER_COLOR = "#8172b2", "#d62728"


def _money(value: float) -> str:
    """Dollars, short; the dollar sign escaped (two of them would make matplotlib typeset the text between)."""
    for size, unit in ((1e9, "bn"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            return rf"\${value / size:.3g}{unit}"
    return rf"\${value:,.0f}"


@movies_figure("movies_release_years", "Movies: release years")
def release_years(ax, numbers: dict, data: MoviesData) -> None:
    years = numbers["release_year"]
    ax.hist(data.movies[mc.RELEASE_YEAR], bins=np.arange(years["min"], years["max"] + 2), color=MOVIES_COLOR)
    ax.axvline(years["median"], color="black", linestyle="--", linewidth=1, label=f"median {years['median']:.0f}")
    ax.set_xlabel("release year")
    ax.set_ylabel("movies released that year")
    ax.set_title(f"{numbers['movies']:,} movies, {years['min']}-{years['max']}; busiest year "
                 f"{years['busiest_year']} ({years['busiest_year_movies']:,})", fontsize=10)
    ax.legend(loc="upper left")


@movies_figure("movies_runtime", "Movies: running time")
def runtime(ax, numbers: dict, data: MoviesData) -> None:
    r = numbers["runtime"]
    minutes = data.movies[mc.RUNTIME]
    minutes = minutes[minutes > 0].to_numpy(dtype=float)
    ax.hist(minutes, bins=np.arange(0, minutes.max() + 10, 10) if len(minutes) else 10, color=MOVIES_COLOR)
    ax.set_yscale("log")
    ax.set_xlabel("running time (minutes)")
    ax.set_ylabel("movies (log scale)")
    ax.set_title(f"{r['with_runtime']:,} movies with a running time (median {number(r['median'], '.0f')} min); "
                 f"{r['zero_runtime']:,} at 0 and {r['missing']:,} missing left out", fontsize=10)
    note = "longest:\n" + "\n".join(f"{m['runtime']} min  {m['title'][:32]} ({m['year']})" for m in r["longest"])
    if r["far_out_fence"] is not None:
        ax.axvline(r["far_out_fence"], color="grey", linestyle="--", linewidth=1)
        note = f"dashed: far-out fence, {r['far_out_fence']:.0f} min\n" + note
    ax.set_ylim(top=ax.get_ylim()[1] * 30)
    ax.text(0.98, 0.97, note, transform=ax.transAxes, ha="right", va="top", fontsize=7, bbox=NOTE_BOX)


@movies_figure("movies_budget_revenue", "Movies: budget, revenue and return (log scales)", ncols=2, size=(9, 5.2))
def budget_revenue(axes, numbers: dict, data: MoviesData) -> None:
    left, right = axes
    m = numbers["money"]
    movies = data.movies
    both = movies[(movies[mc.BUDGET] > 0) & (movies[mc.REVENUE] > 0)]
    tiny = both[mc.BUDGET] < m["tiny_budget"]
    left.scatter(both.loc[~tiny, mc.BUDGET], both.loc[~tiny, mc.REVENUE], s=3, alpha=0.3, color=MOVIES_COLOR,
                 label=f"{m['with_both'] - m['tiny_budget_movies']:,} movies")
    left.scatter(both.loc[tiny, mc.BUDGET], both.loc[tiny, mc.REVENUE], s=10, color=OUTLIER_COLOR,
                 label=f"{m['tiny_budget_movies']} budgets under {_money(m['tiny_budget'])}")
    low, high = 1, max(both[mc.BUDGET].max(), both[mc.REVENUE].max(), 10) if len(both) else 10
    left.plot([low, high], [low, high], color="black", linewidth=0.8, linestyle="--", label="return 1 (break even)")
    left.set_xscale("log")
    left.set_yscale("log")
    left.set_xlabel(r"budget (\$, log scale)")
    left.set_ylabel(r"revenue (\$, log scale)")
    left.set_title(f"{m['with_both']:,} movies with both (median return {number(m['return_median'], '.2f')})",
                   fontsize=10)
    left.legend(fontsize=7, loc="lower right")

    returns = both[mc.RETURN].to_numpy(dtype=float)
    if len(returns):
        right.hist(returns, bins=np.logspace(np.log10(returns.min()), np.log10(returns.max()) + 0.01, 50),
                   color=MOVIES_COLOR)
    right.set_xscale("log")
    right.set_yscale("log")
    right.axvline(1, color="black", linestyle="--", linewidth=0.8)
    right.axvline(m["high_return"], color=OUTLIER_COLOR, linestyle=":", linewidth=1)
    right.set_xlabel("return = revenue / budget (log scale)")
    right.set_ylabel("movies (log scale)")
    right.set_title(f"{m['high_return_movies']} returns >= {m['high_return']:,}x, {m['high_return_tiny_budget']} "
                    f"on budgets under {_money(m['tiny_budget'])}", fontsize=10)
    note = "highest returns (budget -> revenue):\n" + "\n".join(
        f"{r['return']:,.0f}x  {r['title'][:24]}: {_money(r['budget'])} -> {_money(r['revenue'])}"
        for r in m["highest_returns"])
    right.set_ylim(top=right.get_ylim()[1] * 200)
    right.text(0.02, 0.97, note, transform=right.transAxes, ha="left", va="top", fontsize=6.5, bbox=NOTE_BOX)


@movies_figure("movies_votes", "Movies: vote average against vote count")
def votes(ax, numbers: dict, data: MoviesData) -> None:
    v = numbers["votes"]
    movies = data.movies
    count, average = movies[mc.VOTE_COUNT].to_numpy(), movies[mc.VOTE_AVERAGE].to_numpy()
    none, zero = count == 0, (count > 0) & (average == 0)
    rest = ~none & ~zero
    ax.scatter(count[rest], average[rest], s=2, alpha=0.2, color=MOVIES_COLOR, label="movies", rasterized=True)
    ax.scatter(count[none], average[none], s=14, color=OUTLIER_COLOR, marker="x",
               label=f"{v['no_votes']:,} with no votes ({v['no_votes_zero_average']:,} of them averaging 0)")
    ax.scatter(count[zero], average[zero], s=10, color="#dd8452",
               label=f"{v['zero_average_with_votes']:,} averaging 0 with votes")
    ax.set_xscale("symlog", linthresh=1)
    ax.set_xlim(left=-0.3)
    ax.set_xlabel("vote count (log scale from 1; 0 at the left edge)")
    ax.set_ylabel("vote average (0-10)")
    ax.set_title(f"mean average {v['average_mean_all']:.2f} with the zeros, "
                 f"{number(v['average_mean_voted'], '.2f')} over movies with votes", fontsize=10)
    ax.legend(fontsize=8, loc="lower right")


@movies_figure("movies_languages_countries", "Movies: original languages and production countries", ncols=2,
               size=(9, 6))
def languages_countries(axes, numbers: dict, data: MoviesData) -> None:
    lc = numbers["languages_countries"]
    for ax, counts, what, total in ((axes[0], lc["top_languages"], "original languages", lc["languages"]),
                                    (axes[1], lc["top_countries"], "production countries", lc["countries"])):
        ax.barh(list(counts), list(counts.values()), color=MOVIES_COLOR)
        ax.invert_yaxis()
        ax.set_xscale("log")
        ax.set_xlabel("movies (log scale)")
        ax.set_title(f"top {len(counts)} of {total} {what}", fontsize=10)
        ax.tick_params(axis="y", labelsize=8)


def _cloud(ax, words: dict[str, int], seed: int) -> None:
    from wordcloud import WordCloud  # imported here: only the word clouds need it

    if not words:
        ax.text(0.5, 0.5, "no words", ha="center", va="center", transform=ax.transAxes)
    else:
        cloud = WordCloud(width=900, height=450, background_color="white", random_state=seed,
                          **cloud_settings()).generate_from_frequencies(words)
        ax.imshow(cloud.to_array(), interpolation="bilinear")
    ax.set_axis_off()


@movies_figure("movies_title_wordcloud", "Movies: word cloud of titles (common English words removed)")
def title_wordcloud(ax, numbers: dict, data: MoviesData) -> None:
    _cloud(ax, numbers["title_words"], numbers["item_signal"]["seed"])


@movies_figure("movies_overview_wordcloud", "Movies: word cloud of overviews (common English words removed)")
def overview_wordcloud(ax, numbers: dict, data: MoviesData) -> None:
    _cloud(ax, numbers["overview_words"], numbers["item_signal"]["seed"])


@movies_figure("movies_ratings", "Movies: the 100k MovieLens ratings", ncols=2)
def ratings(axes, numbers: dict, data: MoviesData) -> None:
    left, right = axes
    r = numbers["ratings"]
    dist = r["ratings_distribution"]
    stars = np.array(dist["stars"])
    bars = left.bar(stars, np.array(dist["counts"]) / 1e3, width=0.4,
                    color=[MOVIES_COLOR if s % 1 == 0 else "#b3a9d6" for s in stars])
    left.bar_label(bars, labels=[f"{share:.0%}" for share in dist["shares"]], fontsize=7)
    left.set_xticks(stars[::2])
    left.set_xlabel("rating (stars)")
    left.set_ylabel("ratings (thousands)")
    left.set_title(f"{r['ratings']:,} ratings, mean {r['rating_mean']:.2f}", fontsize=10)

    data = data.ratings
    per_user, per_movie = np.bincount(data.users), np.bincount(data.items, minlength=len(data.titles))
    top = max(r["ratings_per_user"]["max"], r["ratings_per_title"]["max"]) + 1
    bins = np.unique(np.round(np.logspace(0, np.log10(top), 30))) - 0.5  # whole counts, none split or skipped
    right.hist(per_user, bins=bins, histtype="step", linewidth=1.6, color="#dd8452",
               label=f"{r['users']:,} users (median {r['ratings_per_user']['median']:.0f})")
    right.hist(per_movie, bins=bins, histtype="step", linewidth=1.6, color=MOVIES_COLOR,
               label=f"{r['movies_rated']:,} movies (median {r['ratings_per_title']['median']:.0f})")
    right.set_xscale("log")
    right.set_yscale("log")
    right.set_xlabel("ratings given / received (log scale)")
    right.set_ylabel("users or movies (log scale)")
    right.set_title(f"{r['rated_share_of_catalog']:.0%} of the catalog rated, {r['density']:.1%} of the "
                    "user x movie grid", fontsize=9)
    right.legend(fontsize=8)


@movies_figure("movies_item_signal_shuffle", "Movies: spread of mean ratings, observed vs after shuffling",
               ncols=2)
def item_signal_shuffle(axes, numbers: dict, data: MoviesData) -> None:
    plots.item_signal_shuffle(axes, numbers, data.ratings)


