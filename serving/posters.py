"""Film posters for the Movies answers: TMDB's public image address of a film's poster, and the local placeholder.

    poster_url("/rhIRbceoE9lR4veEXuwCC2wARtG.jpg")   # "https://image.tmdb.org/t/p/w185/rhIRbceoE9lR4veEXuwCC2wARtG.jpg"
    poster_url(None)                                   # None: the film has no poster
    PLACEHOLDER_URL                                    # "/posters/placeholder.svg", served by the app (add_routes)

APP_REMOTE_IMAGES=false (settings.py) turns the remote addresses off: every `poster` is None and the page shows
the placeholder. The page's cards fall back to the placeholder too when a poster cannot be loaded (offline, a
poster TMDB removed).
"""
from __future__ import annotations

import html
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse

from settings import load_settings

TMDB_IMAGE_BASE = "https://image.tmdb.org/t/p/w185"  # 185 px wide: the size of a card
PLACEHOLDER_FILE = Path(__file__).resolve().parent / "static" / "poster_placeholder.svg"
PLACEHOLDER_URL = "/posters/placeholder.svg"


def remote_images() -> bool:
    """APP_REMOTE_IMAGES, read at each answer (a test or the Space may change it without a new process)."""
    return load_settings().remote_images


def poster_url(poster_path: str | None, remote: bool | None = None) -> str | None:
    """The poster's address at TMDB, or None (no poster, or remote images off)."""
    if not poster_path:
        return None
    if not (remote_images() if remote is None else remote):
        return None
    return TMDB_IMAGE_BASE + poster_path


def poster_img(url: str | None, title: str) -> str:
    """An <img> of the poster that shows the placeholder when there is none or it cannot be loaded."""
    alt = html.escape(f"Poster of {title}", quote=True)
    if url is None:
        return f'<img src="{PLACEHOLDER_URL}" alt="{alt}" class="poster placeholder" loading="lazy">'
    return (f'<img src="{html.escape(url, quote=True)}" alt="{alt}" class="poster" loading="lazy" '
            f"onerror=\"this.onerror=null;this.src='{PLACEHOLDER_URL}';this.classList.add('placeholder')\">")


def add_routes(app: FastAPI) -> None:
    """GET /posters/placeholder.svg: the image shown for a film without a (loadable) poster."""

    @app.get(PLACEHOLDER_URL, include_in_schema=False)
    def placeholder() -> FileResponse:
        return FileResponse(PLACEHOLDER_FILE, media_type="image/svg+xml",
                            headers={"Cache-Control": "public, max-age=86400"})
