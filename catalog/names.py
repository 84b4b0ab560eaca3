"""Names and titles as people type them: the one matching form, and the index that finds a name or suggests close ones.

    name_key("Amélie")            # -> "amelie"
    name_key("Spider-Man & Me")   # -> "spider man and me"
    title_key("Spider-Man & Me")  # -> "spider man me"
    name_key("Don’t Tell")        # -> "dont tell"

The rule: Unicode NFKC, case folded; accents dropped as inputs.text.strip_accents drops them (the marks of other
scripts, e.g. Devanagari vowel signs, are part of the word); ø/æ/œ/ł/đ/ð/þ/ı/ħ/ŧ spelled in ASCII; apostrophes
dropped; every run of anything but letters, digits and marks one space. `name_key`, which says whether two texts
name the same thing (the Movies catalog's names, the where-to-watch links), also reads "&" as "and";
`title_key`, the title search's literal form (exact, prefix and n-gram matches), leaves "&" out as punctuation.
"""
from __future__ import annotations

import difflib
import heapq
import re
import unicodedata
from bisect import bisect_left
from collections import Counter
from functools import lru_cache

from errors import NotFound
from inputs.text import echo, strip_accents

SUGGESTIONS = 5

_APOSTROPHES = "'’‘`´ʼ"
_LETTERS = {"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i", "ħ": "h", "ŧ": "t",
            **dict.fromkeys(_APOSTROPHES, "")}
_TITLE_FOLD = str.maketrans(_LETTERS)
_NAME_FOLD = str.maketrans({**_LETTERS, "&": " and "})
_ASCII_SEPARATORS = re.compile(r"[^a-z0-9\n]+")


@lru_cache(maxsize=8192)
def name_key(text: str) -> str:
    """The matching form of a name: its words (see the module docstring) joined by single spaces; "&" is "and"."""
    return _key(text, _NAME_FOLD)


@lru_cache(maxsize=8192)
def title_key(text: str) -> str:
    """The title search's form of a title or query: as name_key, but "&" is punctuation."""
    return _key(text, _TITLE_FOLD)


def _key(text: str, fold: dict[int, str]) -> str:
    if text.isascii():
        return " ".join(_ASCII_SEPARATORS.sub(" ", text.lower().translate(fold)).split())
    text = strip_accents(unicodedata.normalize("NFKC", text).casefold()).translate(fold)
    return " ".join("".join(ch if _is_word_char(ch) else " " for ch in text).split())


@lru_cache(maxsize=4096)
def _is_word_char(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "LNM"


def name_words(text: str) -> list[str]:
    """The words of name_key(text)."""
    return name_key(text).split()


def name_keys(names: list[str]) -> dict[str, str]:
    """name_key of many names at once: the ASCII ones in one pass over them all joined (3x faster)."""
    ascii_names = [n for n in names if n.isascii()]
    joined = "\n".join(n.replace("\n", " ") for n in ascii_names).lower().translate(_NAME_FOLD)
    lines = _ASCII_SEPARATORS.sub(" ", joined).split("\n")
    out = {name: " ".join(line.split()) for name, line in zip(ascii_names, lines)}
    for name in names:
        if name not in out:
            out[name] = name_key(name)
    return out


class NameIndex:
    """The names of one kind (titles, collections, companies, directors): key -> entity, and close names.

    `spellings`: key -> {spelling: count}; one entity per key, shown as its most frequent spelling (ties:
    alphabetical). `weights` rank suggestions; `words` are each key's words; `aliases` are extra keys per entity
    (e.g. a collection without "collection"); an alias two entities share points at neither."""

    def __init__(self, spellings: dict[str, dict[str, int]], weights: dict[str, float],
                 words: dict[str, tuple[str, ...]], aliases: dict[str, list[str]] | None = None):
        self.keys = sorted(spellings)
        self.display = {k: next(iter(c)) if len(c) == 1 else min(c, key=lambda s, c=c: (-c[s], s))
                        for k, c in spellings.items()}
        self.weight = weights
        self.words = words
        self.alias: dict[str, str | None] = {}
        for key, extra in (aliases or {}).items():
            for alias in extra:
                if alias in spellings:
                    continue
                self.alias[alias] = key if self.alias.get(alias, key) == key else None
        # Word prefix (3 characters, or the whole shorter word) -> keys: the candidates for suggestions.
        prefixes: dict[str, list[str]] = {}
        for key, key_words in words.items():
            for prefix in {w[:3] for w in key_words}:
                prefixes.setdefault(prefix, []).append(key)
        self._by_prefix = {p: tuple(keys) for p, keys in prefixes.items()}

    def find(self, key: str) -> str | None:
        return key if key in self.display else self.alias.get(key)

    def suggest(self, words: list[str], n: int = SUGGESTIONS) -> list[str]:
        """Up to n display names close to the query words. Candidates: the names with a word that starts like
        a query word (3 letters). Ranked by: query words sharing a start with the name's words, query words
        starting a word of the name ("pixar" -> "Pixar Animation Studios"), then (for the best 20 of 150) difflib
        similarity, ties by weight. Nothing shared: difflib over 1,000 names with the query's first letter."""
        query = " ".join(words)
        postings = sorted((self._by_prefix.get(p, []) for p in {w[:3] for w in words}), key=len)
        postings = [p for p in postings if p]
        if len(postings) > 1:  # a very common prefix ("the") adds nothing beside a rarer one
            postings = [p for p in postings if len(p) <= 2000] or postings[:1]
        shared: Counter = Counter()
        for keys in postings:
            shared.update(keys)
        if shared:
            weight = self.weight
            pool = heapq.nlargest(150, shared, key=lambda k: (shared[k], weight[k]))
            cheap = {k: shared[k] + sum(any(v.startswith(w) for v in self.words[k]) for w in words) for k in pool}
            best = heapq.nlargest(20, pool, key=lambda k: (cheap[k], weight[k]))
            matcher = difflib.SequenceMatcher(autojunk=False)
            matcher.set_seq2(query)
            scored = []
            for key in best:
                matcher.set_seq1(" ".join(self.words[key]))
                scored.append((-(cheap[key] + matcher.ratio()), -weight[key], key))
            ranked = [k for *_, k in sorted(scored)]
        else:
            start = bisect_left(self.keys, query[:1])  # the names with the query's first letter
            pool = [k for k in self.keys[start:start + 1000] if k[:1] == query[:1]]
            texts = {" ".join(self.words[k]): k for k in pool}
            ranked = [texts[t] for t in difflib.get_close_matches(query, list(texts), n=n, cutoff=0.6)]
        seen: list[str] = []
        for key in ranked:
            name = self.display[key]
            if name not in seen:
                seen.append(name)
            if len(seen) == n:
                break
        return seen

    def not_found(self, param: str, value: object, kind: str, words: list[str]) -> NotFound:
        suggestions = self.suggest(words)
        hint = (" Closest names: " + "; ".join(suggestions) + ".") if suggestions else " No close names either."
        return NotFound(f"{param}: no {kind} matches {echo(value)}.{hint}", suggestions)
