"""Run a command-line entry point's `main(argv)` in this process, captured like a subprocess.

The fast tier calls the CLIs this way (a Python start-up costs about a second each); the slow tier keeps
real processes for the exit codes and stderr a shell sees.
"""
from __future__ import annotations

import contextlib
import io
import subprocess
from collections.abc import Callable


def run_main(main: Callable[[list[str]], int], args: list[str]) -> subprocess.CompletedProcess:
    """main(args) with stdout and stderr captured; argparse's SystemExit becomes the return code."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(args)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 2
    return subprocess.CompletedProcess(args, code, out.getvalue(), err.getvalue())
