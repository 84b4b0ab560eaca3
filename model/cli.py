"""What the model's command-line tools (python -m model.train, model.publish) share: their argument parser."""
from __future__ import annotations

import argparse
import sys


class OneLineParser(argparse.ArgumentParser):
    """argparse whose errors are one line and exit status 2 (the project's rule for bad options)."""

    def error(self, message: str) -> None:
        print(f"error: {message} (see --help)", file=sys.stderr)
        raise SystemExit(2)
