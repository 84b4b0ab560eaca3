"""Title search: find titles from a partial, misspelled, any-case or accent-free query.

    index = TitleIndex(titles)
    index.search("toy stor")      # -> [{"id": "ds1378", "title": "toy story", "platform": "disney", ...}, ...]
    index.resolve("amelie")       # -> an id, or InputError("unknown title 'amelie'; did you mean: ...")

Titles and queries are compared by catalog.names.title_key. Literal matches rank first (an exact title, then titles
that start with the query, then titles with a word that starts with it), then the rest by the cosine similarity of
character 2-3-gram TF-IDF vectors, which tolerates typos and missing words. The n-gram part (and scikit-learn's
import) waits for the first fuzzy search or `warm()`, so an app can open its port first.
"""
from __future__ import annotations

import threading
from difflib import SequenceMatcher
from itertools import islice

import numpy as np
import pandas as pd

from catalog.names import title_key
from catalog.streaming.schema import title_cards
from config import COL_ID, COL_PLATFORM
from errors import InputError
from inputs.text import MAX_TEXT_LENGTH, echo
from inputs.titles import ID_SCHEME, is_title_id

# How many n-gram candidates are re-ranked; literal (prefix/word) matches are always added on top.
N_CANDIDATES = 200
# Cap on literal matches collected for very short queries ("a" is in most titles).
MAX_LITERAL_MATCHES = 3000
# How many of the best candidates are re-scored with difflib (the slowest step per candidate).
N_RESCORED = 50
N_SUGGESTIONS = 5
# Longest query accepted: the limit of every free text (the longest catalog title has about 110).
MAX_QUERY_LENGTH = MAX_TEXT_LENGTH
# Suggestions below this score are noise ("qqqqqq" -> "secrets of the saqqara tomb"): better none at all.
MIN_SUGGESTION_SCORE = 0.3

# Rank tiers: a literal match beats any amount of n-gram similarity.
TIER_EXACT, TIER_PREFIX, TIER_WORD, TIER_FUZZY = 3, 2, 1, 0
TIER_NAMES = {TIER_EXACT: "exact", TIER_PREFIX: "prefix", TIER_WORD: "word", TIER_FUZZY: "fuzzy"}


def check_length(query: object) -> None:
    """InputError when a query is longer than any title could be (MAX_QUERY_LENGTH characters)."""
    length = len(str(query).strip())
    if length > MAX_QUERY_LENGTH:
        raise InputError(f"a title is at most {MAX_QUERY_LENGTH} characters; got {length:,}. "
                         "Give part of a title, e.g. 'toy story'.")


class TitleIndex:
    """Search index over catalog titles (ids, titles, platforms, years, types)."""

    def __init__(self, titles: pd.DataFrame):
        self._ids = titles[COL_ID].astype(str).to_numpy()
        self._titles = titles["title"].fillna("").astype(str).to_numpy()
        self._platforms = titles[COL_PLATFORM].astype(str).to_numpy()
        self._years = titles["release_year"].to_numpy()
        self._cards = title_cards(titles)
        self._norm = [title_key(t) for t in self._titles]
        self._row_of_id = {id_: i for i, id_ in enumerate(self._ids)}
        self._rows_of_title: dict[str, list[int]] = {}
        for i, norm in enumerate(self._norm):
            self._rows_of_title.setdefault(norm, []).append(i)

        self._ngrams: tuple | None = None  # (vectorizer, n-grams by title), built by warm()
        self._ngrams_lock = threading.Lock()

        # All titles in one string, each preceded by "\n": a single regex scan finds literal matches.
        self._blob = "".join("\n" + norm for norm in self._norm) + "\n"
        self._starts = np.cumsum([0] + [len(norm) + 1 for norm in self._norm[:-1]])
        self._title_len = np.array([len(norm) for norm in self._norm])

    def __len__(self) -> int:
        return len(self._ids)

    def warm(self) -> TitleIndex:
        """Build the n-gram part now (with scikit-learn's import), if not built yet."""
        with self._ngrams_lock:
            if self._ngrams is None:
                from sklearn.feature_extraction.text import TfidfVectorizer

                # char_wb n-grams pad words with spaces, so word starts and ends count: robust to typos and splits.
                vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 3), sublinear_tf=True,
                                             dtype=np.float32)
                # Stored term-major: a query touches only the rows of its own n-grams.
                self._ngrams = (vectorizer, vectorizer.fit_transform(self._norm).T.tocsr())
        return self

    def search(self, query: str, limit: int = 10, fuzzy: bool = True) -> list[dict]:
        """The best `limit` titles for `query`, best first; [] for an empty query.

        Each item: id, title, platform, release_year, type, score (0..1: mean of the n-gram cosine and the
        difflib ratio to the query) and match ("exact", "prefix", "word" or "fuzzy": why it ranks where it does).
        `fuzzy=False`: literal matches only, without the n-gram part (a page's examples, before warm()).
        """
        check_length(query)
        q = title_key(query)
        if not q or limit < 1:
            return []
        if fuzzy:
            vectorizer, ngrams_by_title = self.warm()._ngrams
            sims = (vectorizer.transform([q]) @ ngrams_by_title).toarray().ravel()
        else:
            sims = np.zeros(len(self._ids), dtype=np.float32)
        n_fuzzy = min(N_CANDIDATES, len(sims) - 1)
        fuzzy = np.argpartition(-sims, n_fuzzy)[:n_fuzzy] if n_fuzzy > 0 else np.arange(len(sims))
        fuzzy = fuzzy[sims[fuzzy] > 0]
        prefix_rows, word_rows = self._literal_matches(q)
        rows = np.unique(np.concatenate([fuzzy, prefix_rows, word_rows]).astype(np.int64))

        tier = np.full(len(self._ids), TIER_FUZZY, dtype=np.int8)
        tier[word_rows] = TIER_WORD
        tier[prefix_rows] = TIER_PREFIX
        for row in self._rows_of_title.get(q, []):
            tier[row] = TIER_EXACT
        # First cut by tier then n-gram similarity; then the few best are re-scored with difflib, which
        # n-grams miss for swapped letters ("toy stroy" shares few 3-grams with "toy story").
        rows = rows[np.lexsort((-sims[rows], -tier[rows]))][:max(N_RESCORED, limit)]
        score = np.array([(sims[row] + SequenceMatcher(None, q, self._norm[row]).ratio()) / 2 for row in rows])
        # Best tier, then best score, then the shorter (closer) title, then the newer, then by id.
        order = np.lexsort((self._ids[rows], -self._years[rows], self._title_len[rows], -score, -tier[rows]))
        return [self._card(row, score=round(float(score[i]), 4), match=TIER_NAMES[int(tier[row])])
                for i, row in ((i, rows[i]) for i in order[:limit])]

    def resolve(self, text: str) -> str:
        """The id of the one title `text` names: an exact id ("ns123") or an exact title (any case/accents).

        Raises InputError for an empty, unknown or ambiguous title, listing the best matches with their ids.
        """
        raw = str(text or "").strip()
        check_length(raw)
        if not title_key(raw):
            raise InputError("empty title: give a catalog title (e.g. 'toy story') or a title id (e.g. 'ds1378')")
        if raw.lower() in self._row_of_id:
            return raw.lower()
        rows = self._rows_of_title.get(title_key(raw), [])
        if len(rows) == 1:
            return str(self._ids[rows[0]])
        if len(rows) > 1:
            listed = "; ".join(self._describe(row) for row in rows[:10])
            raise InputError(f"title {echo(raw)} names {len(rows)} catalog entries: {listed}. Pick one by its id.")
        raise InputError(self.unknown_message(raw))

    def unknown_message(self, text: str) -> str:
        """"unknown title 'xyz'; did you mean: ..." with the top search suggestions and their ids."""
        if is_title_id(str(text)):
            return f"unknown title id {echo(text)}: no catalog title has this id (ids are {ID_SCHEME})"
        suggestions = [s for s in self.search(text, limit=N_SUGGESTIONS) if s["score"] >= MIN_SUGGESTION_SCORE]
        if not suggestions:
            return f"unknown title {echo(text)}: no catalog title looks like it; try part of the title"
        listed = "; ".join(self._describe(self._row_of_id[s[COL_ID]]) for s in suggestions)
        return f"unknown title {echo(text)}; did you mean: {listed}"

    def _literal_matches(self, q: str) -> tuple[np.ndarray, np.ndarray]:
        """Rows whose title starts with q, and rows with a word (not the first) starting with q."""
        positions = [pos for sep in ("\n", " ") for pos in islice(self._find_all(sep + q), MAX_LITERAL_MATCHES)]
        rows = np.searchsorted(self._starts, np.array(positions, dtype=np.int64), side="right") - 1
        at_title_start = np.array([self._blob[pos] == "\n" for pos in positions], dtype=bool)
        return rows[at_title_start], rows[~at_title_start]

    def _find_all(self, needle: str):
        """Offsets of `needle` in the joined titles (str.find: a C-speed scan, much faster than a regex)."""
        pos = self._blob.find(needle)
        while pos != -1:
            yield pos
            pos = self._blob.find(needle, pos + 1)

    def _card(self, row: int, **extra) -> dict:
        return {**self._cards[row], **extra}

    def _describe(self, row: int) -> str:
        return f"'{self._titles[row]}' ({self._platforms[row]}, {int(self._years[row])}, id {self._ids[row]})"
