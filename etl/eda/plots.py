"""What every EDA section's figures share: the figure registry, rendering to PNG, and the item-signal drawings.

A figure reads its numbers from its section's numbers dict and touches the loaded data only for the values it
plots one by one, so a figure never disagrees with eda.json.
"""
from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")  # files only, never a window (and no display on the server)

import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.ticker  # noqa: E402

from etl.eda.words import number  # noqa: E402

FIGURE_SIZE = (9, 5)     # inches at DPI -> 900 px wide
DPI = 100
PLOT_SAMPLE = 5_000      # points drawn in a scatter plot (statistics always use every row)
NOTE_BOX = {"facecolor": "white", "alpha": 0.85, "edgecolor": "lightgrey"}


@dataclass(frozen=True)
class Figure:
    name: str       # file stem
    title: str      # drawn on the figure and listed in eda.json
    draw: Callable  # draw(axes, stats, data): fills the axes made by render()
    ncols: int = 1
    size: tuple[float, float] = FIGURE_SIZE


def figure(registry: dict[str, Figure], name: str, title: str, ncols: int = 1,
           size: tuple[float, float] = FIGURE_SIZE):
    """Register a drawing function under `name` in a section's registry, which keeps the order of registration
    (the report's order)."""
    def register(draw: Callable) -> Callable:
        registry[name] = Figure(name, title, draw, ncols, size)
        return draw
    return register


def render(registry: dict[str, Figure], name: str, stats: dict, data) -> bytes:
    """The figure as PNG bytes (no timestamp in the metadata, so equal figures give equal files)."""
    spec = registry[name]
    fig, axes = plt.subplots(1, spec.ncols, figsize=spec.size, dpi=DPI)
    try:
        fig.suptitle(spec.title, fontsize=13, fontweight="bold")
        spec.draw(axes, stats, data)
        fig.tight_layout()
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
        return buffer.getvalue()
    finally:
        plt.close(fig)


def item_signal_shuffle(axes, stats: dict, data) -> None:
    """The shuffle test of stats["item_signal"]: the observed spread of per-item and per-user means against the
    shuffles'."""
    left, right = axes
    s = stats["item_signal"]
    for ax, who, observed, null in ((left, "title", s["title_mean_std"], s["title_mean_std_shuffled"]),
                                    (right, "user", s["user_mean_std"], s["user_mean_std_shuffled"])):
        ax.hist(null, bins=6, color="lightgrey", edgecolor="grey", label=f"{len(null)} seeded shuffles")
        ax.yaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
        ax.axvline(observed, color="#d62728", linewidth=2, label=f"observed {observed:.4f}")
        ax.set_xlabel(f"std of per-{who} mean rating")
        ax.set_ylabel("shuffles")
    left.axvline(s["title_mean_std_expected"], color="black", linestyle=":", label="expected if no title effect")
    left.legend(fontsize=8, loc="upper center")
    right.legend(fontsize=8, loc="upper left")
    left.set_title(f"titles: observed / shuffled = {number(s['title_mean_std_ratio'], '.3f')}", fontsize=10)
    right.set_title(f"users: observed / shuffled = {number(s['user_mean_std_ratio'], '.1f')}", fontsize=10)
    right.set_xlim(0, s["user_mean_std"] * 1.15)
