"""The Movies catalog's words: one caption per figure and its eda.md, written from its numbers dict only.

Every measured number is interpolated from the numbers dict (reports/movies/eda.json's "numbers"), never typed
in: change a number there, regenerate, and the text follows.
"""
from __future__ import annotations

from etl.eda.words import captions_registry, number

CAPTIONS, caption = captions_registry()
WELL_RATED_MD = "; the halves agree better where a movie has more ratings: r = {}"


def _well_rated(n: dict, key: str, spec: str, form: str = " ({})") -> str:
    """The Movies statistic `key` on the movies with enough ratings, put into `form`, or "" when none has."""
    well = n["item_signal_well_rated"]
    if well["signal"] is None:
        return ""
    return form.format(f"{number(well['signal'][key], spec)} over the {well['movies']:,} movies with "
                       f"{well['min_ratings']} ratings or more")


def _money(value: float) -> str:
    return f"${value / 1e6:,.1f}M" if value >= 1e6 else f"${value:,.0f}"


@caption("movies_release_years")
def _release_years(n: dict) -> str:
    y = n["release_year"]
    return (f"{n['movies']:,} movies released {y['min']}-{y['max']} (median {y['median']:.0f}); "
            f"{y['recent_share']:.0%} from {y['recent_since']} or later, the busiest year {y['busiest_year']} "
            f"({y['busiest_year_movies']:,} movies).")


@caption("movies_runtime")
def _runtime(n: dict) -> str:
    r = n["runtime"]
    if r["median"] is None:
        return "No movie has a running time."
    longest = r["longest"][0]
    return (f"Median {r['median']:.0f} min over {r['with_runtime']:,} movies ({r['zero_runtime']:,} with 0, i.e. "
            f"unknown, and {r['missing']:,} missing are left out); {r['beyond_fence']:,} run past the far-out fence "
            f"of {r['far_out_fence']:.0f} min: miniseries and documentary series such as '{longest['title']}' "
            f"({longest['runtime']} min).")


@caption("movies_budget_revenue")
def _budget_revenue(n: dict) -> str:
    m = n["money"]
    if not m["with_both"]:
        return "No movie has both a budget and a revenue."
    text = (f"{m['with_both']:,} movies have both a budget and a revenue (median budget "
            f"{_money(m['budget_median'])}, median return {m['return_median']:.2f}x, {m['return_above_1_share']:.0%} "
            f"earn more than they cost). ")
    if m["highest_returns"]:
        top = m["highest_returns"][0]
        text += (f"Of the {m['high_return_movies']} returns of {m['high_return']:,}x or more, "
                 f"{m['high_return_tiny_budget']} sit on budgets under {_money(m['tiny_budget'])}, mostly millions "
                 f"typed as dollars: '{top['title']}' ({top['year']}) has a budget of {_money(top['budget'])} and "
                 f"{_money(top['revenue'])} revenue, a return of {top['return']:,.0f}x. ")
    best = m["highest_return_plausible_budget"]
    if best:
        text += (f"The highest return on a budget of {_money(m['tiny_budget'])} or more is '{best['title']}' "
                 f"({best['return']:,.0f}x on {_money(best['budget'])}).")
    return text.strip()


@caption("movies_votes")
def _votes(n: dict) -> str:
    v = n["votes"]
    return (f"{v['no_votes']:,} movies have no votes, and {v['no_votes_zero_average']:,} of them an average of 0 "
            f"that is no rating at all: with them the mean average is {v['average_mean_all']:.2f}, without "
            f"{number(v['average_mean_voted'], '.2f')} ({v['zero_average_with_votes']:,} more average 0 with votes). "
            f"Averages from under {v['few_votes']} votes spread widely (std "
            f"{number(v['average_std_few_votes'], '.2f')}), from {v['many_votes']} or more narrowly "
            f"({number(v['average_std_many_votes'], '.2f')}); more votes go a little with higher averages "
            f"(Spearman {number(v['spearman_count_average'], '.2f')}).")


@caption("movies_languages_countries")
def _languages_countries(n: dict) -> str:
    lc = n["languages_countries"]
    languages, countries = list(lc["top_languages"]), list(lc["top_countries"])
    return (f"{lc['english_share']:.0%} of the movies are in English; then {', '.join(languages[1:4])} "
            f"({lc['languages']} languages in all). {countries[0] if countries else 'No country'} leads the "
            f"{lc['countries']} production countries, then {', '.join(countries[1:4])}; "
            f"{lc['no_country']:,} movies ({lc['no_country_share']:.0%}) name none.")


@caption("movies_title_wordcloud")
def _title_wordcloud(n: dict) -> str:
    return ("Word size shows how often a word occurs in the movie titles (plurals merged); the most frequent: "
            f"{', '.join(list(n['title_words'])[:6])}.")


@caption("movies_overview_wordcloud")
def _overview_wordcloud(n: dict) -> str:
    return (f"The {n['with_overview']:,} overviews (the other movies have none in any source) are about "
            f"{', '.join(list(n['overview_words'])[:8])}.")


@caption("movies_ratings")
def _ratings(n: dict) -> str:
    r = n["ratings"]
    per_user, per_movie = r["ratings_per_user"], r["ratings_per_title"]
    dist = r["ratings_distribution"]
    return (f"{r['ratings']:,} ratings by {r['users']:,} users of {r['movies_rated']:,} movies "
            f"({r['rated_share_of_catalog']:.0%} of the catalog); {dist['most_common_stars'][0]:g} stars is the "
            f"most common rating. Unlike the streaming ratings both sides have long tails: users rate "
            f"{per_user['min']}-{per_user['max']:,} movies (median {per_user['median']:.0f}), movies get "
            f"{per_movie['min']}-{per_movie['max']:,} ratings (median {per_movie['median']:.0f}, std "
            f"{per_movie['std']:.1f} against the {per_movie['poisson_std']:.1f} of random assignment).")


@caption("movies_item_signal_shuffle")
def _item_signal_shuffle(n: dict) -> str:
    s = n["item_signal"]
    shuffled = s["title_mean_std_shuffled"]
    return (f"Per-movie mean ratings spread more than chance: std {s['title_mean_std']:.3f} against "
            f"{s['title_mean_std_shuffled_mean']:.3f} after shuffling (all {len(shuffled)} shuffles "
            f"{min(shuffled):.3f}-{max(shuffled):.3f}, ratio {number(s['title_mean_std_ratio'], '.2f')}; the "
            f"{n['ratings']['single_rating_movies']:,} movies with a single rating add mostly noise"
            f"{_well_rated(n, 'title_mean_std_ratio', '.2f', ': the ratio is {}')}). Users spread "
            f"{number(s['user_mean_std_ratio'], '.1f')}x more than shuffled.")


def markdown(numbers: dict, figures: list[dict]) -> str:
    """The catalog's eda.md: key numbers in words, then every figure with its caption."""
    m, s, r = numbers, numbers["item_signal"], numbers["ratings"]
    lines = [
        "# Exploratory data analysis: the Movies catalog",
        "",
        "Generated by `python -m etl.eda` from `data/processed/movies` (the ETL's output); every number below is "
        f"read from `eda.json`. Numbers use every row; shuffles and plot samples are seeded ({s['seed']}).",
        "",
        f"{m['movies']:,} movies ({m['from_raw_rows']:,} from raw metadata rows, the rest from the derived files), "
        f"{m['with_overview']:,} with an overview; {r['ratings']:,} MovieLens ratings by {r['users']:,} users of "
        f"{r['movies_rated']:,} movies. These ratings carry an item signal: split in two random halves, a movie's "
        f"mean ratings agree with r = {number(s['split_half_r_titles'], '.3f')}, and per-movie means spread "
        f"{number(s['title_mean_std_ratio'], '.2f')} times as much as after shuffling"
        f"{_well_rated(numbers, 'split_half_r_titles', '.3f', WELL_RATED_MD)}.",
        "",
        "## Figures",
        "",
    ]
    for figure in figures:
        lines += [f"### {figure['title']}", "", f"![{figure['title']}]({figure['file']})", "",
                  f"*{figure['caption']}*", ""]
    return "\n".join(lines)
