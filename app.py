"""The app a Hugging Face Space runs: `python app.py` serves the Gradio UI at / and the REST API beside it.

One FastAPI process on GRADIO_SERVER_NAME:GRADIO_SERVER_PORT (default 0.0.0.0:7860):
REST routes (/recommend, /top_n, /similar, /search, /health, the catalog questions; docs at /docs) and the
Gradio Blocks mounted at "/"; with APP_MCP=true also Gradio's MCP server at /gradio_api/mcp/, whose tools are
the UI's public events (serving/mcp_tools.py). Artifacts come from HF_MODEL_REPO / HF_DATASET_REPO when set,
else from the local artifacts/ and data/processed/. Settings: settings.py.

Start-up (serving/live.py): the cached (or local) copy is loaded while gradio is imported, the port opens, and
then, in the background, the pieces the first page does not need, a check for newer Hub revisions and, on a
first boot with nothing cached, the download (the page and /health show its progress meanwhile).
"""
from __future__ import annotations

import argparse
import logging
import os
import sys
import threading
import time

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


LOG_FORMAT = "%(asctime)s %(name)s %(levelname)s %(message)s"


class EarlyLoad(threading.Thread):
    """The cached or local copy loaded (serving.live.Live.start) while the main thread imports gradio: loading
    is mostly numpy/parquet work, and the import leaves the second core idle."""

    def __init__(self, settings: Settings):
        super().__init__(daemon=True, name="early-load")
        self.settings, self.live, self.error = settings, None, None

    def run(self) -> None:
        try:
            from serving.live import Live

            self.live = Live(self.settings).start()
        except BaseException as exc:  # re-raised by main()
            self.error = exc


EARLY: EarlyLoad | None = None
if __name__ == "__main__":
    if (_settings := checked_settings()) is None or not parse_args(sys.argv[1:]):
        sys.exit(2)  # before the slow imports below
    if not _settings.mcp:
        # gradio imports the mcp package (and its dependencies) whenever it is installed; without APP_MCP it
        # is dead weight on the way to the first answer, so it is kept out.
        sys.modules.setdefault("mcp", None)
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
    EARLY = EarlyLoad(_settings)
    EARLY.start()

import gradio as gr  # noqa: E402
import uvicorn  # noqa: E402
from fastapi import FastAPI  # noqa: E402

from serving.admin import add_admin_routes  # noqa: E402
from serving.api import create_api, json_not_found_everywhere  # noqa: E402
from serving.feedback import close_at_shutdown, feedback_log  # noqa: E402
from serving.gradio_guard import GradioGuard  # noqa: E402
from serving.live import Live  # noqa: E402
from serving.server import bounded_protocol  # noqa: E402
from serving.state.snapshot import AppState, snapshot  # noqa: E402
from serving.ui import build_ui  # noqa: E402


def create_app(state: AppState | Live | None = None, settings: Settings | None = None) -> FastAPI:
    """REST API + the Gradio UI mounted at "/". Without a state: a Live, its background loading started."""
    settings = settings or load_settings()
    if state is None:
        state = Live(settings).start()
        state.run_background()
    # Several users at once must not queue behind each other; the handlers are fast and thread-safe (read-only).
    # Set on the queue the Blocks made: demo.queue(default_concurrency_limit=...) would build gradio's whole server
    # app once more (gradio 6.31) on the way to the first answer. Gradio reads it at each event's first call.
    demo = build_ui(state)
    demo._queue.default_concurrency_limit = settings.concurrency_limit
    feedback = feedback_log()  # created here, once: its pushes to the Hub start now, the last one at shutdown
    api = create_api(state, feedback=feedback)
    close_at_shutdown(api, feedback)
    if isinstance(state, Live):
        add_admin_routes(api, state, settings.admin_secret)
    app = gr.mount_gradio_app(api, demo, path="/", allowed_paths=[str(snapshot(state).reports_dir)],
                              footer_links=["api", "gradio"], show_error=True, mcp_server=settings.mcp)
    if settings.mcp:
        from serving.mcp_tools import readable_results  # the mcp package only when asked for

        readable_results(demo)
    json_not_found_everywhere(app)
    app.add_middleware(GradioGuard, blocks=demo)  # Gradio's own routes: 4xx for bad calls, bounded bodies
    return app


def main(argv: list[str] | None = None) -> int:
    settings = checked_settings()
    if settings is None:
        return 2
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
    if EARLY is not None:
        EARLY.join()
        if EARLY.error is not None:
            raise EARLY.error
        live = EARLY.live
    else:
        live = Live(settings).start()
    app = create_app(live, settings=settings)
    server = uvicorn.Server(uvicorn.Config(app, host=settings.server_name, port=settings.server_port,
                                           log_level=settings.log_level,
                                           http=bounded_protocol(settings.header_timeout)))

    def when_listening() -> None:
        # The rest loads once the port is open: the first page does not wait for it.
        while not server.started and not server.should_exit:
            time.sleep(0.02)
        logging.getLogger("app").info("serving on http://%s:%d (REST docs at /docs)", settings.server_name,
                                      settings.server_port)
        live.run_background()
        if args.share or settings.share:  # the tunnel reaches the port only when a visitor comes: it is open
            from serving.share import start_share_link

            start_share_link(settings.server_name, settings.server_port)

    threading.Thread(target=when_listening, daemon=True, name="after-start").start()
    server.run()
    live.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
