"""What the process benchmarks share: the `crm` command and an environment timed as installed."""

import os
import shutil
import sys
import tempfile
from pathlib import Path


def crm_command() -> list[str]:
    script = Path(sys.executable).parent / "crm"
    found = str(script) if script.exists() else shutil.which("crm")
    return [found] if found else [sys.executable, "-m", "crmtui"]


def timing_env(bytecode_cache: bool) -> dict[str, str]:
    """The environment for timed runs: with a bytecode cache (in a temp dir) unless told not,
    as an installed crm has one even where PYTHONDONTWRITEBYTECODE is set."""
    env = {**os.environ, "NO_COLOR": "1"}
    if bytecode_cache:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(Path(tempfile.gettempdir()) / "crm-bench-pycache")
    return env
