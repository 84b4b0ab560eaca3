"""Platform names: any spelling a user may type -> the canonical key of config.PLATFORMS.

    parse_platform("Disney Plus")  # -> "disney"
    parse_platform("netflx")       # InputError: unknown platform 'netflx'. Valid: amazon, ... Did you mean 'netflix'?

Used by every door that takes a platform: the catalog questions, the model's top-n, similar titles.
"""
from __future__ import annotations

from config import PLATFORMS
from errors import InputError
from inputs.text import closest, echo, is_blank, normalise_text

PLATFORM_KEYS: tuple[str, ...] = tuple(PLATFORMS)

# Every accepted spelling (already normalised: lower case, single spaces) -> canonical key.
ALIASES: dict[str, str] = {key: key for key in PLATFORMS}
ALIASES.update({normalise_text(display): key for key, (_, _, display) in PLATFORMS.items()})
ALIASES.update({
    "amazon prime": "amazon", "prime video": "amazon", "prime": "amazon", "amazon video": "amazon",
    "disney plus": "disney", "disneyplus": "disney", "disney+": "disney",
})


def parse_platform(text: object) -> str:
    """The canonical platform key (amazon, disney, hulu, netflix) for any accepted spelling, any case.

    Accepted: the keys and the full names (e.g. "Amazon Prime Video", "Disney+", "Disney Plus").
    Anything else raises InputError listing the valid names and suggesting the closest one.
    """
    name = "" if text is None else normalise_text(text)
    if name in ALIASES:
        return ALIASES[name]
    valid = ", ".join(f"{key} ({PLATFORMS[key][2]})" for key in PLATFORM_KEYS)
    if not name:
        raise InputError(f"platform is required. Valid platforms: {valid}.")
    nearest = closest(name, ALIASES)  # suggest the canonical key, not the alias that happened to be closest
    hint = f" Did you mean '{ALIASES[nearest]}'?" if nearest else ""
    raise InputError(f"Unknown platform {echo(str(text))}. Valid platforms: {valid}.{hint}")


def parse_optional_platform(text: object) -> str | None:
    """A platform filter: None for blank/"any" (every platform), else parse_platform."""
    return None if is_blank(text) else parse_platform(text)


def display_name(platform: str) -> str:
    """The platform's full name for people, e.g. 'disney' -> 'Disney+'."""
    return PLATFORMS[parse_platform(platform)][2]


def id_letter(platform: str) -> str:
    """The letter a platform's title ids start with, e.g. 'netflix' -> 'n' (ns123)."""
    return PLATFORMS[parse_platform(platform)][0]
