"""ISO codes of the Movies catalog: original languages (ISO 639-1) and production countries (ISO 3166-1), each a
closed set read from a code or an English name, with TMDB's codes outside ISO named as the ETL names them."""
from __future__ import annotations

import difflib
import re
from collections import Counter
from dataclasses import dataclass

import pycountry

from catalog.names import name_key
from errors import InputError
from inputs.text import check_length, echo

# TMDB's codes outside ISO, named as the ETL names them (etl/movies/names.py; tests check that both agree).
LANGUAGE_OVERRIDES = {"xx": "No Language", "cn": "Cantonese", "mo": "Moldavian",
                      "iw": "Hebrew", "in": "Indonesian", "ji": "Yiddish"}
COUNTRY_OVERRIDES = {"SU": "Soviet Union", "XC": "Czechoslovakia", "XG": "East Germany", "YU": "Yugoslavia",
                     "CS": "Serbia and Montenegro", "AN": "Netherlands Antilles"}
# Language names people type beside pycountry's English names (TMDB's `zh` is mostly Mandarin).
LANGUAGE_ALIASES = {"mandarin": "zh", "greek": "el", "punjabi": "pa", "pashto": "ps", "kyrgyz": "ky",
                    "farsi": "fa", "filipino": "tl", "flemish": "nl", "castilian": "es", "gaelic": "gd",
                    "silent": "xx", "none": "xx", "espanol": "es", "francais": "fr", "deutsch": "de",
                    "italiano": "it", "portugues": "pt", "nederlands": "nl", "svenska": "sv", "norsk": "no",
                    "dansk": "da", "suomi": "fi", "polski": "pl", "turkce": "tr"}
# Country names people type beside pycountry's names (name, common and official names, alpha-3 codes).
COUNTRY_ALIASES = {"usa": "US", "us": "US", "united states of america": "US", "america": "US", "uk": "GB",
                   "britain": "GB", "great britain": "GB", "england": "GB", "russia": "RU", "turkey": "TR",
                   "czech republic": "CZ", "holland": "NL", "korea": "KR", "ivory coast": "CI", "burma": "MM",
                   "macedonia": "MK", "dr congo": "CD", "democratic republic of the congo": "CD",
                   "ussr": "SU", "west germany": "DE", "palestine": "PS", "vatican": "VA"}


@dataclass(frozen=True)
class Codes:
    """One closed set: every accepted code's English name, what people type (name_key -> code), and how many
    movies of the catalog carry each code."""

    what: str        # "an ISO 639-1 code or English language name"
    examples: str    # "en, fr, ja, English"
    names: dict[str, str]
    lookup: dict[str, str]
    counts: Counter

    @property
    def in_catalog(self) -> list[str]:
        return sorted(self.counts)

    def parse(self, value: object, param: str) -> str:
        """The code `value` names (a code or a name, any case, accents optional); InputError otherwise, with
        the closest accepted name and the codes the catalog has."""
        if value is None or not str(value).strip():
            raise InputError(f"{param} is required: give {self.what}, e.g. {self.examples}.")
        check_length(value, param)
        code = self.lookup.get(name_key(str(value)))
        if code is None:
            text = name_key(str(value))
            close = difflib.get_close_matches(text, list(self.lookup), n=1, cutoff=0.75) if text else []
            hint = f" Did you mean {self.lookup[close[0]]} ({self.names[self.lookup[close[0]]]})?" if close else ""
            raise InputError(f"{param} must be {self.what}, e.g. {self.examples}; got {echo(value)}.{hint} Codes in "
                             f"the catalog: {', '.join(self.in_catalog)}.")
        return code


def languages(codes: list) -> Codes:
    """The languages, from each movie's original-language code."""
    counts = Counter(c for c in codes if isinstance(c, str) and c)
    names: dict[str, str] = {}  # every accepted code -> English name
    for language in pycountry.languages:
        code = getattr(language, "alpha_2", None)
        if code:
            names[code] = language.name
    names.update(LANGUAGE_OVERRIDES)
    for code in counts:
        names.setdefault(code, code)  # a code of the data that nothing names is still accepted
    lookup: dict[str, str] = {}
    for code, name in names.items():
        for part in name.split(";"):  # "Malay (macrolanguage)" is also "Malay"
            lookup.setdefault(name_key(part), code)
            lookup.setdefault(name_key(re.sub(r"\(.*?\)", "", part)), code)
    for code, name in LANGUAGE_OVERRIDES.items():
        if code in counts or code in ("xx", "cn"):  # TMDB's codes win their names where the data uses them
            lookup[name_key(name)] = code
    for alias, code in LANGUAGE_ALIASES.items():
        lookup.setdefault(alias, code)
    return Codes("an ISO 639-1 code or English language name", "en, fr, ja, English", names,
                 {**lookup, **{code: code for code in names}}, counts)


def countries(lists: list) -> Codes:
    """The countries, from each movie's list of production-country codes."""
    counts: Counter = Counter()
    for value in lists:
        if value is not None:
            counts.update(set(value))
    names: dict[str, str] = {}
    lookup: dict[str, str] = {}
    for country in pycountry.countries:
        code = country.alpha_2
        names[code] = getattr(country, "common_name", None) or country.name
        for name in (country.name, getattr(country, "common_name", None), getattr(country, "official_name", None)):
            if name:
                lookup.setdefault(name_key(name), code)
        lookup.setdefault(country.alpha_3.lower(), code)
    names.update(COUNTRY_OVERRIDES)
    for code, name in COUNTRY_OVERRIDES.items():
        lookup.setdefault(name_key(name), code)
    for code in counts:
        names.setdefault(code, code)
    for alias, code in COUNTRY_ALIASES.items():
        lookup.setdefault(alias, code)
    # Two-letter codes last, so they win: "in" is India, not a name.
    return Codes("an ISO 3166-1 code or English country name", "FR, US, France, United Kingdom", names,
                 {**lookup, **{code.lower(): code for code in names}}, counts)
