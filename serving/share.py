"""A public Gradio share link for a self-hosted `python app.py --share` (or APP_SHARE=true).

Gradio's share service is asked for a tunnel once the server listens; the link goes to the log and stdout.
Where the service cannot be reached (no internet, a firewall), one line says so and the app keeps serving
locally: sharing is a convenience, never a reason to stop.

    start_share_link("127.0.0.1", 7860)   # returns at once; the tunnel is opened in a background thread
"""
from __future__ import annotations

import logging
import secrets
import sys
import threading

log = logging.getLogger(__name__)


def open_share_link(host: str, port: int) -> str:
    """The public URL of a tunnel to host:port (gradio.networking.setup_tunnel); raises when it cannot."""
    from gradio import networking

    local = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    return networking.setup_tunnel(local, port, secrets.token_urlsafe(32), None, None)


def _share(host: str, port: int) -> None:
    try:
        url = open_share_link(host, port)
    except Exception as exc:  # the share service is out of reach: say so in one line, keep serving
        cause = exc.__cause__ or exc
        reason = f"{type(cause).__name__}: {str(cause).splitlines()[0][:120]}" if str(cause) else type(cause).__name__
        print(f"app: share link not created: Gradio's share service could not be reached ({reason}); "
              f"the app keeps serving on http://{host}:{port}", file=sys.stderr, flush=True)
        log.debug("share link failed", exc_info=True)
        return
    print(f"app: public share link: {url}", flush=True)
    log.info("public share link: %s", url)


def start_share_link(host: str, port: int) -> threading.Thread:
    """Ask for the share link in a daemon thread (the request may take its full timeout to fail)."""
    thread = threading.Thread(target=_share, args=(host, port), daemon=True, name="share-link")
    thread.start()
    return thread
