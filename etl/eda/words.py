"""What every EDA section's captions and eda.md share: numbers in words and the caption registry."""
from __future__ import annotations

from collections.abc import Callable

Caption = Callable[[dict], str]  # the section's numbers -> the caption's text


def captions_registry() -> tuple[dict[str, Caption], Callable[[str], Callable[[Caption], Caption]]]:
    """An empty caption registry of a section and its decorator: `@caption("figure_name")` registers a caption
    writer under the figure's name, in report order."""
    registry: dict[str, Caption] = {}

    def caption(name: str) -> Callable[[Caption], Caption]:
        def register(write: Caption) -> Caption:
            registry[name] = write
            return write
        return register
    return registry, caption


def number(value: float | None, spec: str) -> str:
    """`value` formatted with `spec`, or "n/a" for a statistic the data leaves undefined (None in eda.json)."""
    return "n/a" if value is None else format(value, spec)
