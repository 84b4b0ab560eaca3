"""Cast (first 3 billed) and directors of each movie.

With the raw `credits.csv` (id, cast and crew as Python literals) in the raw directory, both come from it: the cast
sorted by 'order', the crew members whose job is 'Director'. Without it, the cast comes from the head5000 file
(first 3 names, ", "-joined) and the directors from derived/directors_all__fermuba.csv, which lists every director
of 44,544 movies (SOURCES.md prefers it); the head5000 file's one director is used where fermuba has none.
"""
from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

from etl.io import read_csv_text, require_columns
from etl.movies import columns as C
from etl.movies.derived import Source, read_derived
from etl.movies.literals import MAX_CHARS_CREDITS, LiteralError, adjacent_pairs, parse_records
from etl.movies.metadata import ID_RE, row_values
from etl.report import Report

log = logging.getLogger(__name__)
CAST_SIZE = 3


def _top_cast(text: str | None) -> list[str]:
    fast = adjacent_pairs(text.strip(), "name", "order", second_is_number=True) if text else None
    if fast is not None:
        ordered = sorted(((int(order), name.strip()) for name, order in fast), key=lambda p: p[0])
        return [name for _, name in ordered if name][:CAST_SIZE]
    cast = parse_records(text, ("name",), MAX_CHARS_CREDITS)
    cast = sorted(cast, key=lambda m: m["order"] if isinstance(m.get("order"), int) else 10**9)
    return [m["name"].strip() for m in cast if m["name"].strip()][:CAST_SIZE]


def _directors(text: str | None) -> list[str]:
    fast = adjacent_pairs(text.strip(), "job", "name") if text else None
    if fast is not None:
        return list(dict.fromkeys(name.strip() for job, name in fast if job == "Director" and name.strip()))
    crew = parse_records(text, ("name",), MAX_CHARS_CREDITS)
    return list(dict.fromkeys(m["name"].strip() for m in crew if m.get("job") == "Director" and m["name"].strip()))


def read_credits(raw_dir: Path, report: Report) -> tuple[pd.DataFrame, str, bool]:
    """id, cast_top3, directors from credits.csv (raw=True) or the head5000 file; and the file's name."""
    folder = raw_dir / C.SUBDIR
    raw = (folder / C.CREDITS_RAW_FILE).exists()
    path = folder / (C.CREDITS_RAW_FILE if raw else C.CREDITS_HEAD_FILE)
    file = f"{C.SUBDIR}/{path.name}"
    df = read_csv_text(path).reset_index(drop=True)
    columns = ["id", "cast", "crew"] if raw else ["id", "top_cast", "director"]
    require_columns(path, df.columns, columns)
    ids = df["id"].fillna("").str.strip()
    bad = ~ids.str.fullmatch(ID_RE)
    if bad.any():
        report.quarantine(file, df.index[bad] + 1, "id is not a whole number", row_values(df, df.index[bad]))
    cast, directors = [None] * len(df), [None] * len(df)
    if raw:
        for i, (c, d) in enumerate(zip(df["cast"].tolist(), df["crew"].tolist(), strict=True)):
            if bad.iat[i]:
                continue
            try:
                cast[i], directors[i] = _top_cast(c if isinstance(c, str) else None), _directors(
                    d if isinstance(d, str) else None)
            except LiteralError as exc:
                report.quarantine(file, [i + 1], f"malformed cast or crew literal: {exc}", row_values(df, [i]))
                bad.iat[i] = True
    else:
        cast = [[n.strip() for n in t.split(", ") if n.strip()] if isinstance(t, str) else [] for t in df["top_cast"]]
        directors = [[t.strip()] if isinstance(t, str) and t.strip() else [] for t in df["director"]]
    out = pd.DataFrame({C.ID: ids, C.CAST: cast, C.DIRECTORS: directors})[~bad]
    out[C.ID] = out[C.ID].astype("int64")
    dup = out[C.ID].duplicated()
    if dup.any():
        report.quarantine(file, out.index[dup] + 1, "duplicate id: the first row is kept",
                          row_values(df, out.index[dup]))
    out = out[~dup].reset_index(drop=True)
    report.add_file(file, len(df), len(out))
    return out, file, raw


def fermuba_directors(raw_dir: Path, report: Report) -> Source:
    file, id_col, name_col = C.DIRECTOR_SOURCE
    df = read_derived(raw_dir, file, [name_col], report, unique=False)
    by_id: dict[int, list[str]] = {}
    for movie, name in zip(df[C.ID].tolist(), df[name_col].tolist(), strict=True):
        if isinstance(name, str) and name.strip():
            by_id.setdefault(movie, []).append(name.strip())
    values = pd.Series(list(by_id.values()), index=list(by_id.keys()), dtype=object)
    return Source(C.DIRECTORS, file, name_col, values)


def assign(movies: pd.DataFrame, crew_cast: pd.DataFrame, credits_file: str, raw_credits: bool, fermuba: Source,
           report: Report) -> pd.DataFrame:
    """The movies with cast_top3 and directors; the source counts and the directors' agreement."""
    by_id = crew_cast.set_index(C.ID)
    ids = movies[C.ID]
    cast = by_id[C.CAST].reindex(ids)
    movies[C.CAST] = [v if isinstance(v, list) else [] for v in cast]
    first, second = (by_id[C.DIRECTORS], fermuba.values) if raw_credits else (fermuba.values, by_id[C.DIRECTORS])
    names = (C.SUBDIR + "/" + (credits_file.split("/")[-1] if raw_credits else fermuba.file),
             C.SUBDIR + "/" + (fermuba.file if raw_credits else credits_file.split("/")[-1]))
    a, b = first.reindex(ids).tolist(), second.reindex(ids).tolist()
    directors, counts = [], [0, 0]
    for x, y in zip(a, b, strict=True):
        if isinstance(x, list) and x:
            directors.append(x)
            counts[0] += 1
        elif isinstance(y, list) and y:
            directors.append(y)
            counts[1] += 1
        else:
            directors.append([])
    movies[C.DIRECTORS] = directors
    sources = report.summary.setdefault("sources", {})
    sources[C.DIRECTORS] = {names[0]: counts[0], names[1]: counts[1]}
    sources[C.CAST] = {credits_file: int(sum(bool(c) for c in movies[C.CAST]))}
    return movies


def directors_agreement(crew_cast: pd.DataFrame, credits_file: str, raw_credits: bool, fermuba: Source) -> dict:
    """Directors of the credits file against fermuba's on the movies both name a director for: equal lists with
    the raw credits.csv; with the head5000 file (one director each), its director among fermuba's."""
    by_id = crew_cast.set_index(C.ID)[C.DIRECTORS]
    by_id = by_id[by_id.map(bool)]
    common = by_id.index.intersection(fermuba.values.index)
    agree = 0
    for i in common:
        mine, theirs = by_id.at[i], fermuba.values.at[i]
        agree += (mine == theirs) if raw_credits else (mine[0] in theirs)
    return {"field": C.DIRECTORS, "source": f"{C.SUBDIR}/{fermuba.file}", "column": fermuba.column,
            "compared": len(common), "agree": int(agree),
            "share": round(agree / len(common), 6) if len(common) else float("nan")}
