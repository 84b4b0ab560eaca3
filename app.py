"""The app a Hugging Face Space runs: `python app.py` serves the Gradio UI at / and the REST API beside it.

One FastAPI process on GRADIO_SERVER_NAME:GRADIO_SERVER_PORT (default 0.0.0.0:7860):
REST routes (/recommend, /top_n, /similar, /search, /health, the catalog questions; docs at /docs) and the
Gradio Blocks mounted at "/". Artifacts come from HF_MODEL_REPO / HF_DATASET_REPO when set, else from the
local artifacts/ and data/processed/ (see serving/state.py).
"""
from __future__ import annotations

import logging
import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

import gradio as gr  # noqa: E402
import uvicorn  # noqa: E402
from fastapi import FastAPI  # noqa: E402

from serving.api import create_api, json_not_found_everywhere  # noqa: E402
from serving.state import AppState, load_state  # noqa: E402
from serving.ui import build_ui  # noqa: E402

# Several users at once must not queue behind each other; the handlers are fast and thread-safe (read-only).
CONCURRENCY_LIMIT = int(os.environ.get("APP_CONCURRENCY_LIMIT", "16"))


def create_app(state: AppState | None = None) -> FastAPI:
    """REST API + the Gradio UI mounted at "/"."""
    state = state or load_state()
    demo = build_ui(state).queue(default_concurrency_limit=CONCURRENCY_LIMIT)
    app = gr.mount_gradio_app(create_api(state), demo, path="/", allowed_paths=[str(state.reports_dir)],
                              footer_links=["api", "gradio"], show_error=True)
    json_not_found_everywhere(app)
    return app


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    host = os.environ.get("GRADIO_SERVER_NAME", "0.0.0.0")
    port = int(os.environ.get("GRADIO_SERVER_PORT", "7860"))
    app = create_app()
    logging.getLogger("app").info("serving on http://%s:%d (REST docs at /docs)", host, port)
    uvicorn.run(app, host=host, port=port, log_level=os.environ.get("APP_LOG_LEVEL", "warning"))


if __name__ == "__main__":
    main()
