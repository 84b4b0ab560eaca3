"""Everything the app serves, as one snapshot, split by concept:

    sources.py     where the pieces come from (the Hub, its cache, local directories)
    loading.py     each piece loaded on its own into a snapshot (load_state, build_state, load_extras)
    snapshot.py    AppState, the immutable snapshot the handlers read, and its guards (Unavailable, how to build)
    redaction.py   public_text, public_json: what an answer may show (no local paths)

    state = load_state()          # never raises: what cannot be loaded becomes a notice
    state.require_model()         # the model, or Unavailable("... build it with `make run` ...")

The names most modules need are here too.
"""
from errors import Unavailable
from serving.state.loading import load_state
from serving.state.snapshot import AppState, snapshot

__all__ = ["AppState", "Unavailable", "load_state", "snapshot"]
