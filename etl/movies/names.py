"""ISO codes -> English names: languages (ISO 639-1) and countries (ISO 3166-1 alpha-2), via pycountry.

TMDB uses a few codes that ISO 639-1 does not have, or no longer has; they are named by this documented rule:
- `xx`: TMDB's code for "no language" (silent films, music-only) -> "No Language";
- `cn`: TMDB's code for Cantonese (ISO 639-1 has no Cantonese; ISO 639-3 `yue`) -> "Cantonese";
- `mo`: withdrawn ISO 639-1 code of Moldavian (now `ro`) -> "Moldavian";
- `iw`, `in`, `ji`: withdrawn codes of Hebrew, Indonesian, Yiddish -> those names.
Any other code pycountry does not know keeps its code and gets no name (counted in the report).

Countries: pycountry's common name where it has one ("South Korea", "Iran", "Taiwan"), else its name; the
former countries TMDB still uses (SU, XC, XG, YU, CS, AN) are named by the table below.
"""
from __future__ import annotations

from functools import lru_cache

import pycountry

LANGUAGE_OVERRIDES = {"xx": "No Language", "cn": "Cantonese", "mo": "Moldavian",
                      "iw": "Hebrew", "in": "Indonesian", "ji": "Yiddish"}
COUNTRY_OVERRIDES = {"SU": "Soviet Union", "XC": "Czechoslovakia", "XG": "East Germany", "YU": "Yugoslavia",
                     "CS": "Serbia and Montenegro", "AN": "Netherlands Antilles"}


@lru_cache(maxsize=1024)
def language_name(code: str | None) -> str | None:
    if not isinstance(code, str) or not code:
        return None
    if code in LANGUAGE_OVERRIDES:
        return LANGUAGE_OVERRIDES[code]
    language = pycountry.languages.get(alpha_2=code) if len(code) == 2 else None
    return language.name if language else None


@lru_cache(maxsize=1024)
def country_name(code: str | None) -> str | None:
    if not isinstance(code, str) or not code:
        return None
    if code in COUNTRY_OVERRIDES:
        return COUNTRY_OVERRIDES[code]
    country = pycountry.countries.get(alpha_2=code) if len(code) == 2 else None
    if country is None:
        return None
    return getattr(country, "common_name", None) or country.name
