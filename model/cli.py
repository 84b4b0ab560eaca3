"""What the model's command-line tools (python -m model.train, model.publish) share: the argument parser, the
option types and the logging setup."""
from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable

from config import RATING_MAX, RATING_MIN

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class OneLineParser(argparse.ArgumentParser):
    """argparse whose errors are one line and exit status 2 (the project's rule for bad options)."""

    def error(self, message: str) -> None:
        print(f"error: {message} (see --help)", file=sys.stderr)
        raise SystemExit(2)


def whole_number(low: int, high: int | None = None) -> Callable[[str], int]:
    """An argparse type: a whole number from low (to high), with a message that says what is accepted."""
    accepted = f"a whole number from {low} to {high}" if high is not None else f"a whole number >= {low}"

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = low - 1
        if value < low or (high is not None and value > high):
            raise argparse.ArgumentTypeError(f"expected {accepted}, got {text!r}")
        return value

    return parse


def rating(text: str) -> float:
    """An argparse type: a rating on the scale (RATING_MIN..RATING_MAX), e.g. a recommendation threshold."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not RATING_MIN <= value <= RATING_MAX:
        raise argparse.ArgumentTypeError(f"expected a rating from {RATING_MIN} to {RATING_MAX}, got {text!r}")
    return value


def add_verbosity_options(parser: argparse.ArgumentParser) -> None:
    """--quiet (warnings and errors only, no progress bars) and --verbose (debug detail) as `verbosity`."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument("-q", "--quiet", dest="verbosity", action="store_const", const=logging.WARNING,
                       default=logging.INFO, help="only warnings and errors on stderr, no progress bars")
    group.add_argument("-v", "--verbose", dest="verbosity", action="store_const", const=logging.DEBUG,
                       help="debug detail on stderr (every search trial)")


def configure_logging(level: int, package: str = "model") -> None:
    """Log records of `package` at `level` and above to stderr (stdout carries results only).

    Called by the command-line entry points only; library code just logs. Other libraries stay at WARNING.
    """
    logging.basicConfig(level=logging.WARNING, format=LOG_FORMAT, datefmt="%H:%M:%S", stream=sys.stderr)
    logging.getLogger(package).setLevel(level)
