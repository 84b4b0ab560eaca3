"""How the Movies catalog shows a film's facts: list cells as plain lists, an overview cut to a short paragraph."""
from __future__ import annotations

OVERVIEW_CHARS = 300  # a fact's overview is cut (at a word) to about this many characters


def cut_overview(text: object, limit: int = OVERVIEW_CHARS) -> str | None:
    """An overview on one line, cut at a word to at most `limit` characters (then ending in "..."); None when
    there is none."""
    if not isinstance(text, str) or not text.strip():
        return None
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit - 3]
    cut = cut[:cut.rfind(" ")] if " " in cut else cut
    return cut.rstrip(" ,;:.-") + "..."


def text_list(value: object) -> list[str]:
    """A list cell (a parquet list arrives as a numpy array) as a list of strings; missing -> []."""
    if value is None or isinstance(value, float):
        return []
    return [str(v) for v in (value.tolist() if hasattr(value, "tolist") else value)]
