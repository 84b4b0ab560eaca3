"""What the EDA tests share: the command line run as a subprocess, PNG and strict-JSON checks."""
from __future__ import annotations

import os
import struct
import subprocess
import sys
from pathlib import Path

import config

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
ENV = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_DISABLE_TELEMETRY": "1",
       "HF_HUB_DISABLE_XET": "1", "MPLBACKEND": "Agg"}


def run_eda(*args: str) -> subprocess.CompletedProcess:
    """`python -m etl.eda --quiet ARGS` in a subprocess of its own."""
    return subprocess.run([sys.executable, "-m", "etl.eda", "--quiet", *args], cwd=config.PROJ_ROOT, env=ENV,
                          capture_output=True, text=True, timeout=600)


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE, f"{path} is not a PNG"
    return struct.unpack(">II", data[16:24])


def reject_constant(name: str):
    raise AssertionError(f"{name} in eda.json: not strict JSON")
