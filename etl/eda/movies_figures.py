"""The Movies catalog's figures, and the side-by-side figures of both catalogs' item signal.

Same rules as figures.py: a figure reads its numbers from eda.json's "numbers" (the Movies ones under
numbers["movies"], the streaming ones at the top level) and touches the loaded data only for the values it plots
one by one. Each draw function gets (axes, numbers, catalogs: movies_data.Catalogs). `MOVIES_FIGURES` lists them in
report order (after the streaming figures: first the item signal of both catalogs side by side, then the Movies
catalog, then the Movies item signal), `CATALOG[name]` says which catalog each shows ("movies" or "both").
"""
from __future__ import annotations

import numpy as np

from etl.eda import stats as eda_stats
from etl.eda.captions import number
from etl.eda.figures import NOTE_BOX, PLOT_SAMPLE, Figure, figure, item_signal_shuffle, render
from etl.eda.movies_data import Catalogs
from etl.movies import columns as mc

MOVIES_FIGURES: dict[str, Figure] = {}
CATALOG: dict[str, str] = {}
MOVIES_COLOR, STREAMING_COLOR, OUTLIER_COLOR, WELL_RATED_COLOR = "#8172b2", "#4c72b0", "#d62728", "#c44e52"


def movies_figure(name: str, title: str, catalog: str = "movies", **kwargs):
    CATALOG[name] = catalog
    return figure(name, title, registry=MOVIES_FIGURES, **kwargs)


def render_movies(name: str, numbers: dict, catalogs: Catalogs) -> bytes:
    return render(name, numbers, catalogs, registry=MOVIES_FIGURES)


def _money(value: float) -> str:
    """Dollars, short; the dollar sign escaped (two of them would make matplotlib typeset the text between)."""
    for size, unit in ((1e9, "bn"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            return rf"\${value / size:.3g}{unit}"
    return rf"\${value:,.0f}"


@movies_figure("item_signal_both", "Item signal in both catalogs' ratings", catalog="both", ncols=2)
def signal_both(axes, numbers: dict, c: Catalogs) -> None:
    left, right = axes
    well = numbers["movies"]["item_signal_well_rated"]
    catalogs = [("streaming", numbers["item_signal"], STREAMING_COLOR),
                ("Movies", numbers["movies"]["item_signal"], MOVIES_COLOR)]
    if well["signal"] is not None:
        catalogs.append((f"Movies, the {well['movies']:,} with >= {well['min_ratings']} ratings", well["signal"],
                         WELL_RATED_COLOR))
    x, width = np.arange(2), 0.8 / len(catalogs)
    for ax, keys, label, spec in ((left, ("split_half_r_titles", "split_half_r_users"), "split-half correlation r",
                                   ".3f"),
                                  (right, ("title_mean_std_ratio", "user_mean_std_ratio"),
                                   "std of means, observed / shuffled", ".2f")):
        for i, (name, s, color) in enumerate(catalogs):
            values = [s[key] for key in keys]
            bars = ax.bar(x + (i - (len(catalogs) - 1) / 2) * width, [v or 0 for v in values], width=width,
                          color=color, label=name)
            ax.bar_label(bars, labels=[number(v, spec) for v in values], fontsize=7)
        ax.set_xticks(x, ["per item (title / movie)", "per user"])
        ax.set_ylabel(label)
        ax.legend(fontsize=8, loc="upper left")
    left.set_title("0 = no signal, 1 = the halves agree", fontsize=10)
    right.axhline(1, color="black", linestyle="--", linewidth=0.8)
    right.set_title("1 = no more spread than chance", fontsize=10)


@movies_figure("movies_release_years", "Movies: release years")
def release_years(ax, numbers: dict, c: Catalogs) -> None:
    years = numbers["movies"]["release_year"]
    ax.hist(c.movies.movies[mc.RELEASE_YEAR], bins=np.arange(years["min"], years["max"] + 2), color=MOVIES_COLOR)
    ax.axvline(years["median"], color="black", linestyle="--", linewidth=1, label=f"median {years['median']:.0f}")
    ax.set_xlabel("release year")
    ax.set_ylabel("movies released that year")
    ax.set_title(f"{numbers['movies']['movies']:,} movies, {years['min']}-{years['max']}; busiest year "
                 f"{years['busiest_year']} ({years['busiest_year_movies']:,})", fontsize=10)
    ax.legend(loc="upper left")


@movies_figure("movies_runtime", "Movies: running time")
def runtime(ax, numbers: dict, c: Catalogs) -> None:
    r = numbers["movies"]["runtime"]
    minutes = c.movies.movies[mc.RUNTIME]
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
def budget_revenue(axes, numbers: dict, c: Catalogs) -> None:
    left, right = axes
    m = numbers["movies"]["money"]
    movies = c.movies.movies
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
def votes(ax, numbers: dict, c: Catalogs) -> None:
    v = numbers["movies"]["votes"]
    movies = c.movies.movies
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
def languages_countries(axes, numbers: dict, c: Catalogs) -> None:
    lc = numbers["movies"]["languages_countries"]
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
                          **eda_stats.cloud_settings()).generate_from_frequencies(words)
        ax.imshow(cloud.to_array(), interpolation="bilinear")
    ax.set_axis_off()


@movies_figure("movies_title_wordcloud", "Movies: word cloud of titles (common English words removed)")
def title_wordcloud(ax, numbers: dict, c: Catalogs) -> None:
    _cloud(ax, numbers["movies"]["title_words"], numbers["movies"]["item_signal"]["seed"])


@movies_figure("movies_overview_wordcloud", "Movies: word cloud of overviews (common English words removed)")
def overview_wordcloud(ax, numbers: dict, c: Catalogs) -> None:
    _cloud(ax, numbers["movies"]["overview_words"], numbers["movies"]["item_signal"]["seed"])


@movies_figure("movies_ratings", "Movies: the 100k MovieLens ratings", ncols=2)
def ratings(axes, numbers: dict, c: Catalogs) -> None:
    left, right = axes
    r = numbers["movies"]["ratings"]
    dist = r["ratings_distribution"]
    stars = np.array(dist["stars"])
    bars = left.bar(stars, np.array(dist["counts"]) / 1e3, width=0.4,
                    color=[MOVIES_COLOR if s % 1 == 0 else "#b3a9d6" for s in stars])
    left.bar_label(bars, labels=[f"{share:.0%}" for share in dist["shares"]], fontsize=7)
    left.set_xticks(stars[::2])
    left.set_xlabel("rating (stars)")
    left.set_ylabel("ratings (thousands)")
    left.set_title(f"{r['ratings']:,} ratings, mean {r['rating_mean']:.2f}", fontsize=10)

    data = c.movies.ratings
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
def item_signal_shuffle_movies(axes, numbers: dict, c: Catalogs) -> None:
    item_signal_shuffle(axes, numbers["movies"], c.movies.ratings)  # the streaming figure, on the Movies numbers


def _split_half(ax, data, signal: dict, color: str, label: str) -> None:
    a, b = eda_stats.split_half_means(data, signal["seed"])["titles"]
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


@movies_figure("item_signal_split_half_both", "Split-half agreement of per-item means: streaming vs Movies",
               catalog="both", ncols=2)
def split_half_both(axes, numbers: dict, c: Catalogs) -> None:
    _split_half(axes[0], c.streaming, numbers["item_signal"], STREAMING_COLOR, "streaming titles")
    _split_half(axes[1], c.movies.ratings, numbers["movies"]["item_signal"], MOVIES_COLOR, "Movies")
