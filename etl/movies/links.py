"""Where to watch: link the Movies catalog (TMDB ids) to the streaming catalog (Amazon, Disney+, Hulu, Netflix).

    link_catalogs(movies, titles) -> DataFrame     # one row per linked streaming title
    catalog.movies.where_to_watch: the file's columns and schema, read_where_to_watch(folder), streams_by_movie,
        movie_by_title (the app reads the links with them, and the serving side never imports etl/)
    python -m etl.movies.links --processed-dir data/processed   # (re)writes the Movies folder's where_to_watch.parquet

The rule (measured on tests/fixtures/where_to_watch_pairs.csv, hand-labelled; see tests/catalog/test_where_to_watch.py):

1. Titles are normalised the same way on both sides (`normalise_title`): catalog.names.name_key (accents,
   case, apostrophes, "&" and punctuation do not matter: "Amélie" == "amelie", "All Hallow's Eve" == "all hallows'
   eve"), one leading article (the, a, an) dropped; a trailing "(1992)" (Disney+'s "aladdin (1992)") goes, "1½"
   reads as "1 1/2".
   Only streaming titles of type 'movie' take part.
2. Candidates: a streaming title and a TMDB movie with the same normalised title and release years at most
   `MAX_YEAR_GAP` (3) apart.
3. Evidence, where both sides have the field:
   - director: *agree* when some director of one side and some of the other share a name word of 3+ letters
     (names are normalised like titles; word order, initials, "Jr."-like words do not matter: "Tsui Hark" ==
     "hark tsui", "Joseph M. Newman" == "joe newman"), or two words of 5+ letters one transliteration apart
     ("Neill Fearnley" == "neil fearnly"); *disagree* when both have directors and none agree. A streaming
     "director" that is a company ('lionsgate', '20th_century_fox') counts as no director;
   - cast: *agree* when one actor is on both lists (TMDB's first 3 billed, known for about 5,000 movies); never
     *disagree*, since short lists of one film need not meet;
   - runtime: *agree* when the minutes differ by at most max(10, 10% of the longer), *far* when one is more than
     1.5 times the other, else *disagree*;
   - year: the gap |streaming year - TMDB year| (the sources often differ by one year).
4. A candidate is accepted when
   - the director disagrees: only if an actor agrees and the gap is at most 1 (the platform's director field is
     then wrong: Amazon's 'Tuff Turf' names three TV directors). Otherwise a disagreeing director refutes the
     pair even when year and runtime agree: same-title films of one year ("The Confirmation", 2016) differ;
   - the gap is 0: if the director or an actor agrees, or the runtime is not *far* (platform runtimes are
     sometimes wrong: Hulu's Shrek runs 120 min; the score below still prefers a candidate whose runtime agrees);
   - the gap is 1: if the director or an actor agrees, or the runtime agrees or is unknown;
   - the gap is 2 or 3: if the director or an actor agrees and the runtime agrees or is unknown (a platform's
     "release year" is sometimes a later release; someone has to vouch for it).
5. Score = 3 - gap, + 4 if the director agrees, + 3 if an actor agrees, + 2 if the runtime agrees, - 2 if it
   disagrees. A streaming title links to at most one TMDB movie: the accepted candidate with the highest score;
   a tie at the top -> no link (no guess). A TMDB movie may stream on several platforms (or twice on one), so
   it may get several links.

Measured on the fixture (321 hand-labelled pairs, 166 matches): precision 1.00 (0 false links), recall 0.94.
The rule was refined on its first 266 pairs (recall 0.93 there); the 55 "holdout" pairs, drawn at random from the
same-title candidates afterwards and labelled before being matched, give precision 1.00 and recall 0.98. The
misses are titles that differ ('Bratz: The Movie' / 'Bratz'), a platform year years or decades off (Amazon's
'wild geese', 2012), and a wrong platform director without TMDB cast to overrule it.

Output columns: LINK_COLUMNS (tmdb_id, title_id, platform, score, year_gap, director, runtime, cast, evidence),
`evidence` a short text of what agreed, such as "title+year(0)+director+runtime". Whole catalogs link in about
a second.
"""
from __future__ import annotations

import argparse
import re
import sys
from difflib import SequenceMatcher
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from catalog import MOVIES, STREAMING
from catalog.movies.where_to_watch import (  # the file's contract and readers, shared with the app
    CAST,
    DIRECTOR,
    EVIDENCE,
    LINK_COLUMNS,
    PLATFORM,
    RUNTIME,
    SCHEMA,
    SCORE,
    TITLE_ID,
    TMDB_ID,
    WHERE_TO_WATCH_FILE,
    YEAR_GAP,
)
from catalog.names import name_key
from config import PROCESSED_DATA_DIR, TITLES_FILE
from errors import InputError
from etl import io
from etl.movies import columns as C

# The streaming columns the rule reads (titles.parquet).
TITLES_COLUMNS = ["id", "platform", "type", "title", "director", "cast", "release_year", "duration_int",
                  "duration_type"]

MAX_YEAR_GAP = 3                # candidates; gaps of 2-3 need an agreeing director
RUNTIME_TOLERANCE = (10, 0.10)  # minutes, share of the longer runtime: the larger applies
FAR_RUNTIME_RATIO = 1.5        # beyond it a runtime refutes even an exact-year pair without a director
AGREE, DISAGREE, FAR, UNKNOWN = "agree", "disagree", "far", "unknown"
ARTICLES_RE = re.compile(r"^(?:the|a|an) (?=\S)")
YEAR_SUFFIX_RE = re.compile(r"\s*\((?:18|19|20)\d\d\)\s*$")    # Disney+'s 'aladdin (1992)'
FRACTION_RE = re.compile(r"(\d)([\u00bc-\u00be\u2150-\u215e])")  # '1½' -> '1 ½' -> '1 1/2' like '1 1/2'
# Words of a name that say nothing about who it is.
NAME_NOISE = frozenset({"jr", "sr", "ii", "iii", "iv", "dr", "von", "van", "der", "den", "del", "des", "les", "la",
                        "le", "de", "da", "di"})
# A streaming "director" holding a company, not a person ('lionsgate', '20th_century_fox', 'moonbug entertainment'):
# no evidence either way.
COMPANY_WORDS = frozenset({"lionsgate", "magnolia", "fox", "entertainment", "studio", "studios", "films", "pictures",
                           "productions", "inc", "llc", "music", "media"})
SIMILAR_NAME_WORD = 0.8         # difflib ratio above which two name words of 5+ letters are one spelling apart


def normalise_title(title: object) -> str:
    """The matching key of a title ('' when missing): see rule 1 of the module docstring."""
    if not isinstance(title, str):
        return ""
    folded = name_key(FRACTION_RE.sub(r"\1 \2", YEAR_SUFFIX_RE.sub("", title)))
    return ARTICLES_RE.sub("", folded, count=1)


@cache
def name_words(name: str) -> frozenset[str]:
    """The words of a person's name that identify it: 3+ letters, no 'jr'/'von'-like words; none for a company."""
    words = name_key(name).split()
    if "_" in name or COMPANY_WORDS.intersection(words):
        return frozenset()
    return frozenset(w for w in words if len(w) >= 3 and w not in NAME_NOISE)


def _similar_words(a: frozenset[str], b: frozenset[str]) -> bool:
    """A word in common, or two words of 5+ letters one transliteration apart ('fearnly' / 'fearnley',
    'mukherji' / 'mukherjee', 'mancevski' / 'manchevski')."""
    if a & b:
        return True
    return any(len(x) >= 5 and len(y) >= 5 and SequenceMatcher(None, x, y).ratio() >= SIMILAR_NAME_WORD
               for x in a for y in b)


def director_words(directors: object) -> tuple[frozenset[str], ...]:
    """One word set per director; `directors` is a list (TMDB) or a comma-separated text (streaming)."""
    if directors is None or (isinstance(directors, float) and np.isnan(directors)):
        return ()
    names = directors.split(",") if isinstance(directors, str) else list(directors)
    return tuple(words for words in (name_words(n) for n in names if isinstance(n, str)) if words)


def director_evidence(a: tuple[frozenset[str], ...], b: tuple[frozenset[str], ...]) -> str:
    if not a or not b:
        return UNKNOWN
    return AGREE if any(_similar_words(x, y) for x in a for y in b) else DISAGREE


def runtime_evidence(a: float, b: float) -> str:
    """*agree* within RUNTIME_TOLERANCE, *far* when one is more than FAR_RUNTIME_RATIO times the other, else
    *disagree*; *unknown* when a side has none (NaN or 0)."""
    if not (a > 0 and b > 0):
        return UNKNOWN
    minutes, share = RUNTIME_TOLERANCE
    if abs(a - b) <= max(minutes, share * max(a, b)):
        return AGREE
    return FAR if max(a, b) > FAR_RUNTIME_RATIO * min(a, b) else DISAGREE


def _same_person(a: frozenset[str], b: frozenset[str]) -> bool:
    """One name's words are the other's, or a part of them of 2+ words ('courtney b vance' / 'courtney vance')."""
    return a == b or (min(len(a), len(b)) >= 2 and (a <= b or b <= a))


def cast_evidence(a: tuple[frozenset[str], ...], b: tuple[frozenset[str], ...]) -> str:
    """*agree* when an actor is on both lists; never *disagree*: TMDB names the first 3 billed (of about 5,000
    movies), a platform a few, so two lists of one film need not meet."""
    return AGREE if any(_same_person(x, y) for x in a for y in b) else UNKNOWN


def accept(year_gap: int, director: str, runtime: str, cast: str = UNKNOWN) -> bool:
    """Rule 4 of the module docstring."""
    if year_gap > MAX_YEAR_GAP:
        return False
    if director == DISAGREE:
        return cast == AGREE and year_gap <= 1
    vouched = director == AGREE or cast == AGREE
    if year_gap == 0:
        return vouched or runtime != FAR
    if year_gap == 1:
        return vouched or runtime in (AGREE, UNKNOWN)
    return vouched and runtime in (AGREE, UNKNOWN)


def score(year_gap: int, director: str, runtime: str, cast: str = UNKNOWN) -> int:
    """Rule 5 of the module docstring: ranks the accepted candidates of one streaming title."""
    return (3 - year_gap + 4 * (director == AGREE) + 3 * (cast == AGREE) + 2 * (runtime == AGREE)
            - 2 * (runtime in (DISAGREE, FAR)))


def _streaming_movies(titles: pd.DataFrame) -> pd.DataFrame:
    movies = titles[titles["type"] == "movie"]
    minutes = movies["duration_int"].astype("Float64").where(movies["duration_type"] == "min")
    return pd.DataFrame({
        TITLE_ID: movies["id"].to_numpy(), PLATFORM: movies["platform"].to_numpy(),
        "key": movies["title"].map(normalise_title).to_numpy(),
        "s_year": movies["release_year"].to_numpy(),
        "s_minutes": minutes.astype(float).fillna(np.nan).to_numpy(),
        "s_directors": movies["director"].to_numpy(), "s_cast": movies["cast"].to_numpy(),
    })


def _tmdb_movies(movies: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        TMDB_ID: movies[C.ID].to_numpy(), "key": movies[C.TITLE].map(normalise_title).to_numpy(),
        "m_year": movies[C.RELEASE_YEAR].to_numpy(), "m_minutes": movies[C.RUNTIME].astype(float).to_numpy(),
        "m_directors": movies[C.DIRECTORS].to_numpy(), "m_cast": movies[C.CAST].to_numpy(),
    })


def candidates(movies: pd.DataFrame, titles: pd.DataFrame) -> pd.DataFrame:
    """Every (streaming movie, TMDB movie) pair of one normalised title and years at most MAX_YEAR_GAP apart,
    with its evidence, score and whether rule 4 accepts it."""
    stream, tmdb = _streaming_movies(titles), _tmdb_movies(movies)
    stream, tmdb = stream[stream["key"] != ""], tmdb[tmdb["key"] != ""]
    pairs = stream.merge(tmdb, on="key")
    pairs[YEAR_GAP] = (pairs["s_year"].astype("Int64") - pairs["m_year"].astype("Int64")).abs()
    pairs = pairs[pairs[YEAR_GAP].notna() & (pairs[YEAR_GAP] <= MAX_YEAR_GAP)].reset_index(drop=True)
    pairs[YEAR_GAP] = pairs[YEAR_GAP].astype(int)
    s_dirs = pairs["s_directors"].map(director_words)
    m_dirs = pairs["m_directors"].map(director_words)
    pairs[DIRECTOR] = [director_evidence(a, b) for a, b in zip(s_dirs, m_dirs, strict=True)]
    pairs[RUNTIME] = [runtime_evidence(a, b) for a, b in zip(pairs["s_minutes"], pairs["m_minutes"], strict=True)]
    s_cast, m_cast = pairs["s_cast"].map(director_words), pairs["m_cast"].map(director_words)
    pairs[CAST] = [cast_evidence(a, b) for a, b in zip(s_cast, m_cast, strict=True)]
    evidence = list(zip(pairs[YEAR_GAP], pairs[DIRECTOR], pairs[RUNTIME], pairs[CAST], strict=True))
    pairs["accepted"] = [accept(*e) for e in evidence]
    pairs[SCORE] = [score(*e) for e in evidence]
    return pairs


def _evidence(frame: pd.DataFrame) -> pd.Series:
    text = "title+year(" + frame[YEAR_GAP].astype(str) + ")"
    text = text + np.where(frame[DIRECTOR] == AGREE, "+director", "")
    text = text + np.where(frame[CAST] == AGREE, "+cast", "")
    return text + np.where(frame[RUNTIME] == AGREE, "+runtime", "")


def link_catalogs(movies: pd.DataFrame, titles: pd.DataFrame) -> pd.DataFrame:
    """The streaming movies linked to a TMDB movie (LINK_COLUMNS), by the rule of the module docstring."""
    pairs = candidates(movies, titles)
    pairs = pairs[pairs["accepted"].astype(bool)]
    best = pairs.groupby(TITLE_ID)[SCORE].transform("max")
    top = pairs[pairs[SCORE] == best]
    top = top[top.groupby(TITLE_ID)[TMDB_ID].transform("nunique") == 1].drop_duplicates(TITLE_ID)
    links = top.assign(**{EVIDENCE: _evidence(top)})[LINK_COLUMNS]
    return links.sort_values([TMDB_ID, PLATFORM, TITLE_ID]).reset_index(drop=True)


def summary(links: pd.DataFrame, rated_ids: np.ndarray | None = None) -> dict:
    """Counts for the ETL report: links, linked TMDB movies, per platform, and rated movies that stream."""
    out = {"links": len(links), "linked_movies": int(links[TMDB_ID].nunique()),
           "per_platform": {str(k): int(v) for k, v in links.groupby(PLATFORM)[TMDB_ID].nunique().items()}}
    if rated_ids is not None:
        out["rated_movies"] = int(len(np.unique(rated_ids)))
        out["rated_movies_streaming"] = int(np.isin(np.unique(rated_ids), links[TMDB_ID].to_numpy()).sum())
    return out


def links_table(links: pd.DataFrame) -> pa.Table:
    return pa.Table.from_pandas(links[LINK_COLUMNS], schema=SCHEMA, preserve_index=False)


def read_titles(path: Path) -> pd.DataFrame:
    return pd.read_parquet(path, columns=TITLES_COLUMNS)


def run(processed_dir: Path) -> dict:
    """Link the Movies catalog's movies.parquet to the streaming catalog's titles.parquet (each in its folder
    under processed_dir) and write the Movies catalog's where_to_watch.parquet; returns the counts (`summary`)."""
    movies_dir = processed_dir / MOVIES.name
    paths = [processed_dir / STREAMING.name / TITLES_FILE, movies_dir / C.MOVIES_FILE, movies_dir / C.RATINGS_FILE]
    for path in paths:
        io.check_file(path)
    movies = pd.read_parquet(paths[1], columns=[C.ID, C.TITLE, C.RELEASE_YEAR, C.RUNTIME, C.DIRECTORS, C.CAST])
    links = link_catalogs(movies, read_titles(paths[0]))
    io.write_parquet(links_table(links), movies_dir / WHERE_TO_WATCH_FILE)
    return summary(links, pd.read_parquet(paths[2], columns=[C.ID])[C.ID].to_numpy())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m etl.movies.links", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--processed-dir", default=str(PROCESSED_DATA_DIR),
                        help="holds each catalog's folder (default: data/processed)")
    args = parser.parse_args(argv)
    try:
        counts = run(Path(args.processed_dir))
    except InputError as exc:
        print(f"etl.movies.links: error: {exc}", file=sys.stderr)
        return 2
    print(describe(counts))
    return 0


def describe(counts: dict) -> str:
    platforms = ", ".join(f"{k} {v:,}" for k, v in counts["per_platform"].items())
    text = (f"where to watch: {counts['links']:,} streaming titles linked to {counts['linked_movies']:,} movies "
            f"({platforms})")
    if "rated_movies" in counts:
        text += f"; {counts['rated_movies_streaming']:,} of {counts['rated_movies']:,} rated movies stream somewhere"
    return text


if __name__ == "__main__":
    sys.exit(main())
