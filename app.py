"""The app a Hugging Face Space runs: `python app.py` serves the Gradio UI at / and the REST API beside it.

One FastAPI process on GRADIO_SERVER_NAME:GRADIO_SERVER_PORT (default 0.0.0.0:7860):
REST routes (/recommend, /top_n, /similar, /search, /health, the catalog questions; docs at /docs) and the
Gradio Blocks mounted at "/". Artifacts come from HF_MODEL_REPO / HF_DATASET_REPO when set, else from the
local artifacts/ and data/processed/ (see serving/state.py). Settings: settings.py.
"""
from __future__ import annotations

import argparse
import logging
import os
import sys

from settings import SettingError, Settings, load_settings

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")


def checked_settings() -> Settings | None:
    """The validated settings, or None after one line on stderr saying which variable is wrong."""
    try:
        return load_settings()
    except SettingError as exc:
        print(f"app: error: {exc}", file=sys.stderr)
        return None


class OneLineParser(argparse.ArgumentParser):
    """Bad options: one line and exit status 2, like every other door."""

    def error(self, message: str) -> None:
        print(f"app: error: {message} (see --help)", file=sys.stderr)
        raise SystemExit(2)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = OneLineParser(prog="python app.py", description="Serve the recommender: UI, REST API, client API.")
    parser.add_argument("--share", action="store_true", help="also serve on a public Gradio share link (APP_SHARE)")
    return parser.parse_args(argv)


if __name__ == "__main__" and (checked_settings() is None or not parse_args(sys.argv[1:])):
    sys.exit(2)  # before the slow imports below

import gradio as gr  # noqa: E402
import uvicorn  # noqa: E402
from fastapi import FastAPI  # noqa: E402

from serving.api import create_api, json_not_found_everywhere  # noqa: E402
from serving.gradio_guard import GradioGuard  # noqa: E402
from serving.server import bounded_protocol  # noqa: E402
from serving.state import AppState, load_state  # noqa: E402
from serving.ui import build_ui  # noqa: E402


def create_app(state: AppState | None = None, settings: Settings | None = None) -> FastAPI:
    """REST API + the Gradio UI mounted at "/"."""
    settings = settings or load_settings()
    state = state or load_state(settings=settings)
    # Several users at once must not queue behind each other; the handlers are fast and thread-safe (read-only).
    demo = build_ui(state).queue(default_concurrency_limit=settings.concurrency_limit)
    app = gr.mount_gradio_app(create_api(state), demo, path="/", allowed_paths=[str(state.reports_dir)],
                              footer_links=["api", "gradio"], show_error=True)
    json_not_found_everywhere(app)
    app.add_middleware(GradioGuard, blocks=demo)  # Gradio's own routes: 4xx for bad calls, bounded bodies
    return app


def main(argv: list[str] | None = None) -> int:
    settings = checked_settings()
    if settings is None:
        return 2
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    app = create_app(settings=settings)
    logging.getLogger("app").info("serving on http://%s:%d (REST docs at /docs)", settings.server_name,
                                  settings.server_port)
    if args.share or settings.share:  # the tunnel reaches the port only when a visitor comes: it is open by then
        from serving.share import start_share_link

        start_share_link(settings.server_name, settings.server_port)
    uvicorn.run(app, host=settings.server_name, port=settings.server_port, log_level=settings.log_level,
                http=bounded_protocol(settings.header_timeout))
    return 0


if __name__ == "__main__":
    sys.exit(main())
