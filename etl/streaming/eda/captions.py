"""The streaming catalog's words: one caption per figure and its eda.md, written from its stats dict only.

Every measured number in a caption or in the report is interpolated from the stats dict (reports/streaming/eda.json's
"numbers"), never typed in: change a number there, regenerate, and the text follows. The words between the
numbers say what the numbers mean.
"""
from __future__ import annotations

from config import PLATFORMS
from etl.eda.words import captions_registry, number

CAPTIONS, caption = captions_registry()


def _platform(key: str) -> str:
    return PLATFORMS[key][2] if key in PLATFORMS else key


def _largest(counts: dict[str, int | float]) -> list[str]:
    return sorted(counts, key=counts.get, reverse=True)


# ---------------------------------------------------------------------------------------------------- titles

@caption("titles_per_platform")
def _titles_per_platform(s: dict) -> str:
    per_platform = s["titles_per_platform"]
    first, second = (_largest(per_platform) + ["", ""])[:2]
    shares = s["tv_show_share_per_platform"]
    mostly_shows = [p for p, share in shares.items() if share > 0.5]
    if len(mostly_shows) == 1:
        shows = (f"{_platform(mostly_shows[0])} is the only catalog with more TV shows than movies "
                 f"({shares[mostly_shows[0]]:.0%} shows)")
    elif mostly_shows:
        shows = f"{', '.join(map(_platform, mostly_shows))} have more TV shows than movies"
    else:
        shows = "every catalog has more movies than TV shows"
    return (f"{s['titles']:,} titles; {_platform(first)} ({per_platform[first]:,}) and {_platform(second)} "
            f"({per_platform.get(second, 0):,}) hold most of them, and {shows}.")


@caption("release_years")
def _release_years(s: dict) -> str:
    years = s["release_year"]
    old = years["old_per_platform"]
    most_old = _largest(old)[0] if old else None
    owner = f" are mostly {_platform(most_old)}'s ({old[most_old]:,})" if most_old else ""
    return (f"{years['recent_share']:.0%} of titles were released in {years['recent_since']} or later; the old "
            f"titles (before {years['old_before']}: {years['old']:,}){owner}.")


@caption("date_added")
def _date_added(s: dict) -> str:
    added = s["date_added"]
    if added["first"] is None:
        return "No title has a date_added."
    busiest = added["busiest_quarter_per_platform"]
    disney = (f"; Disney+'s launch catalog arrives at once ({busiest['disney']['titles']:,} titles in "
              f"{busiest['disney']['quarter']})" if "disney" in busiest else "")
    return (f"Dated additions run from {added['first'][:4]} to {added['last'][:4]}{disney}; Amazon gives a date "
            f"for only {added['known_share_per_platform'].get('amazon', 0):.1%} of its titles, and "
            f"{added['added_before_release_year']} titles are 'added' in a year before their release year.")


@caption("durations")
def _durations(s: dict) -> str:
    d = s["durations"]
    parts = []
    if d["movie_minutes_far_out_fence"] is not None:
        parts.append(f"{d['movies_beyond_fence']} movies run past {d['movie_minutes_far_out_fence']:.0f} min "
                     f"(the median is {d['movie_minutes_median']:.0f}): long epics, and {d['very_long_movies']} "
                     f"ambient/sleep videos over {d['very_long_minutes']} min "
                     f"({', '.join(map(_platform, d['very_long_movies_per_platform']))}; longest: "
                     f"'{d['movies_longest'][0]['title']}', {d['movies_longest'][0]['minutes']} min)")
    if d["movies_without_minutes"]:
        given = sorted({m["duration"] for m in d["movies_without_minutes"]})
        parts.append(f"{len(d['movies_without_minutes'])} movies give no usable running time "
                     f"({', '.join(repr(text) for text in given)})")
    if d["shows_most_seasons"]:
        top = d["shows_most_seasons"][0]
        parts.append(f"'{top['title']}' has the most seasons ({top['seasons']})")
    return "; ".join(parts) + "." if parts else "No title has a duration."


@caption("maturity_ratings")
def _maturity_ratings(s: dict) -> str:
    m = s["maturity_ratings"]
    amazon = m["top_per_platform"].get("amazon", [])
    hulu_g = m["titles_per_rating_and_platform"].get("g", {}).get("hulu", 0)
    return (f"Amazon mostly uses its own age scale ({', '.join(amazon)}), the others US TV and film ratings; "
            f"Hulu's {hulu_g:,} 'g' titles are mostly the {m['filled_in_as_g_per_platform'].get('hulu', 0):,} "
            f"missing ratings the ETL set to 'g'.")


@caption("top_genres")
def _top_genres(s: dict) -> str:
    leaders = " and ".join(list(s["top_genres"])[:2])
    return (f"{leaders.capitalize()} lead, but each platform names genres its own way ('drama' vs Netflix's "
            "'dramas', 'documentary' vs 'documentaries'): the same genre appears twice, split by platform.")


@caption("top_countries")
def _top_countries(s: dict) -> str:
    first, *others = [c.title() for c in list(s["top_countries"])[:3]]
    return (f"{first} leads, then {' and '.join(others)}; note that {s['country_missing_share']:.0%} of "
            "titles name no country at all (see the missing-values figure).")


@caption("missing_values")
def _missing_values(s: dict) -> str:
    missing = s["missing_share"]
    most_missing_rating = max(missing["rating"].values())
    rating = (f"'rating' is missing for at most {most_missing_rating:.1%} of a platform's titles"
              if most_missing_rating else "'rating' is never missing")
    return (f"Amazon lacks {missing['date_added'].get('amazon', 0):.0%} of date_added and "
            f"{missing['country'].get('amazon', 0):.0%} of countries, Hulu {missing['director'].get('hulu', 0):.0%} "
            f"of directors and {missing['cast'].get('hulu', 0):.0%} of cast; {rating} because the ETL filled the gaps "
            "with 'g'.")


# --------------------------------------------------------------------------------------------------- ratings

@caption("ratings_distribution")
def _ratings_distribution(s: dict) -> str:
    dist = s["ratings_distribution"]
    first, second = dist["most_common_stars"]
    return (f"{dist['whole_star_share']:.0%} of ratings are whole stars; {first:g} and {second:g} lead and the mean "
            f"is {s['rating_mean']:.2f}. The {dist['between_half_stars']:,} values between half stars come from "
            "averaging a user's duplicate ratings.")


@caption("ratings_per_user_and_title")
def _ratings_per_user_and_title(s: dict) -> str:
    per_user, per_title = s["ratings_per_user"], s["ratings_per_title"]
    return (f"Users follow a long tail (median {per_user['median']:.0f}, top user {per_user['max']:,}); titles do "
            f"not: counts are as narrow as random assignment predicts (std {per_title['std']:.1f} vs Poisson "
            f"{per_title['poisson_std']:.1f}), so there are no popular or niche titles.")


@caption("rating_timestamps")
def _rating_timestamps(s: dict) -> str:
    if not s["timestamped_ratings"]:
        return "No rating has a timestamp, so there is nothing to compare."
    years = s["timestamp_years"]
    return (f"Only {s['timestamped_ratings']:,} ratings have a timestamp ({years['first']}-{years['last']}, before "
            f"most titles were released): {s['timestamped_ratings_before_release_share']:.0%} of them predate their "
            "title's release year, another sign that ids were assigned at random.")


@caption("title_wordcloud")
def _title_wordcloud(s: dict) -> str:
    return ("Word size shows how often a word occurs in titles (plurals merged, test rows left out); the most "
            f"frequent: {', '.join(list(s['title_words'])[:6])}.")


@caption("etl_fixes")
def _etl_fixes(s: dict) -> str:
    etl = s["etl"]
    return (f"{etl['fix_kinds']} kinds of fix (lower-casing not shown): dates rewritten, duplicate ratings "
            "averaged, missing maturity ratings filled, Hulu durations moved out of the rating column, Amazon test "
            f"rows flagged; {etl['quarantined_rows']:,} rows quarantined.")


@caption("item_signal_shuffle")
def _item_signal_shuffle(s: dict) -> str:
    i = s["item_signal"]
    return (f"Titles' mean ratings spread no more than random ({i['title_mean_std']:.4f} vs "
            f"{i['title_mean_std_shuffled_mean']:.4f} shuffled): no title is better than another. Users' means "
            f"spread {number(i['user_mean_std_ratio'], '.1f')}x more than shuffled: the user signal is real.")


@caption("item_signal_split_half")
def _item_signal_split_half(s: dict) -> str:
    i = s["item_signal"]
    return (f"A title's mean in one random half of its ratings does not predict the other half "
            f"(r = {number(i['split_half_r_titles'], '.3f')}), while a user's does "
            f"(r = {number(i['split_half_r_users'], '.3f')}).")


# ---------------------------------------------------------------------------------------------------- report

def signal_table(stats: dict) -> str:
    """The README's table of the no-title-signal evidence (a test keeps the README's copy equal to it)."""
    s = stats["item_signal"]
    shuffled = s["title_mean_std_shuffled"]
    return "\n".join([
        "| statistic | titles | users |",
        "|---|---|---|",
        f"| std of per-item mean rating, observed | {s['title_mean_std']:.4f} | {s['user_mean_std']:.3f} |",
        f"| the same after shuffling the ids ({s['n_shuffles']} seeded shuffles) | "
        f"{s['title_mean_std_shuffled_mean']:.4f} ({min(shuffled):.4f}-{max(shuffled):.4f}) | "
        f"{s['user_mean_std_shuffled_mean']:.3f} |",
        f"| split-half correlation of per-item means | {number(s['split_half_r_titles'], '.3f')} | "
        f"{number(s['split_half_r_users'], '.3f')} |",
    ])


def markdown(stats: dict, figures: list[dict]) -> str:
    """The catalog's eda.md: key numbers, the no-item-signal finding in plain words, then every figure with its
    caption."""
    s = stats["item_signal"]
    per_title, per_user = stats["ratings_per_title"], stats["ratings_per_user"]
    before_release = stats["timestamped_ratings_before_release_share"]
    per_platform = ", ".join(f"{p} {n:,}" for p, n in stats["titles_per_platform"].items())
    lines = [
        "# Exploratory data analysis: the streaming catalog",
        "",
        "Generated by `python -m etl.eda` from `data/processed/streaming` (the ETL's output); every number below is "
        "read from "
        f"`eda.json`. Numbers use every row; shuffles and plot samples are seeded ({s['seed']}).",
        "",
        "## Key numbers",
        "",
        "| | |",
        "|---|---|",
        f"| titles | {stats['titles']:,} ({per_platform}); {stats['placeholder_titles']} Amazon test rows flagged |",
        f"| ratings | {stats['ratings']:,} from {stats['users']:,} users; mean {stats['rating_mean']:.2f}, "
        f"std {stats['rating_std']:.2f} |",
        f"| ratings per user | median {per_user['median']:.0f}, mean {per_user['mean']:.0f}, max {per_user['max']:,} "
        "(long tail) |",
        f"| ratings per title | {per_title['min']}-{per_title['max']}, mean {per_title['mean']:.0f}, std "
        f"{per_title['std']:.1f} (Poisson would give {per_title['poisson_std']:.1f}) |",
        f"| std of per-title mean rating | {s['title_mean_std']:.4f} observed vs "
        f"{s['title_mean_std_shuffled_mean']:.4f} shuffled ({s['n_shuffles']} shuffles), "
        f"{s['title_mean_std_expected']:.4f} expected from noise alone |",
        f"| std of per-user mean rating | {s['user_mean_std']:.3f} observed vs {s['user_mean_std_shuffled_mean']:.4f} "
        "shuffled |",
        f"| split-half correlation | titles r = {number(s['split_half_r_titles'], '.3f')}, users r = "
        f"{number(s['split_half_r_users'], '.3f')} |",
        "",
        "## The streaming ratings carry no item signal",
        "",
        "The movie ids in the ratings were assigned to titles at random. If some titles were better liked than "
        "others, their mean ratings would spread out more than chance allows; they do not: the per-title means "
        f"have a standard deviation of {s['title_mean_std']:.4f}, the same as after shuffling every rating over the "
        f"(user, title) pairs ({s['title_mean_std_shuffled_mean']:.4f}, ratio "
        f"{number(s['title_mean_std_ratio'], '.3f')}). Splitting the ratings at random into two halves, the two "
        f"per-title means agree with r = {number(s['split_half_r_titles'], '.3f')}, i.e. not at all. The same tests "
        f"on users show a real signal: user means spread {number(s['user_mean_std_ratio'], '.1f')} times more than "
        f"shuffled and their halves agree with r = {number(s['split_half_r_users'], '.3f')}. The counts say the "
        f"same: every title has {per_title['min']}-{per_title['max']} ratings, the narrow spread random assignment "
        "produces"
        + (f", and {before_release:.0%} of the timestamped ratings predate their title's release."
           if before_release is not None else "."),
        "",
        "**What it means for the model.** A matrix-factorisation model (SVD) fitted on these ratings can learn the "
        "user biases (some users rate high, some low), which is where the signal is; its item factors and item "
        "biases can only fit noise, so its ranking of titles for a user is no better than chance. This is why the "
        "model card reports the trainer's quality on MovieLens and says the streaming ratings carry no item "
        "signal: what can explain why two titles go together here is the content (genres, description, cast, "
        "director), i.e. content-based similarity.",
        "",
    ]
    lines += ["## Figures", ""]
    for figure in figures:
        lines += [f"### {figure['title']}", "", f"![{figure['title']}]({figure['file']})", "",
                  f"*{figure['caption']}*", ""]
    return "\n".join(lines)
