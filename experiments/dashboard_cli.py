"""`sovai dashboard`: start the Solara dashboard (viz/app.py) in a subprocess, bound to 127.0.0.1 by default.

Importing this module does not import solara or viz; the command only locates ``viz/app.py`` and runs
``python -m solara run`` with telemetry off and, when present, the project's offline asset cache
(``.cache/solara-assets``, filled by ``tests/setup_browser.sh``).
"""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

OPTIMIZATION_ENV = "SOVAI_OPTIMIZATION"   # the --optimization folder, read by viz/pareto_view.py
LOCAL_ASSETS = Path(__file__).resolve().parent.parent / ".cache" / "solara-assets"


def app_path() -> Path:
    """Path of viz/app.py (the installed package or this checkout)."""
    spec = importlib.util.find_spec("viz")
    base = Path(spec.submodule_search_locations[0]) if spec and spec.submodule_search_locations else \
        Path(__file__).resolve().parent.parent / "viz"
    return base / "app.py"


def dashboard_env(assets: Path | None = None, base: dict | None = None) -> dict[str, str]:
    """Environment for the server: telemetry off; the offline asset cache when one exists."""
    env = dict(os.environ if base is None else base)
    env.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "false")
    cache = assets or (LOCAL_ASSETS if LOCAL_ASSETS.is_dir() else None)
    if cache is not None and "SOLARA_ASSETS_PROXY_CACHE_DIR" not in env:
        env["SOLARA_ASSETS_PROXY_CACHE_DIR"] = str(cache)
    root = str(app_path().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH", "")) if p)
    return env


def command(host: str, port: int, open_browser: bool = False) -> list[str]:
    """The solara command line (production mode, no version check)."""
    return [sys.executable, "-m", "solara", "run", str(app_path()), "--host", host, "--port", str(port),
            "--production", "--no-check-version", "--open" if open_browser else "--no-open"]


def register(app: typer.Typer) -> None:
    """Add the ``dashboard`` command to the sovai Typer app."""

    @app.command()
    def dashboard(
        port: Annotated[int, typer.Option(help="port (0 = any free port)", min=0, max=65535)] = 8765,
        host: Annotated[str, typer.Option(help="interface to bind; keep the loopback default unless you "
                                               "mean to expose the dashboard")] = "127.0.0.1",
        open_browser: Annotated[bool, typer.Option("--open/--no-open", help="open a browser tab")] = False,
        assets: Annotated[Optional[Path], typer.Option(help="offline Solara asset cache folder")] = None,
        optimization: Annotated[Optional[Path], typer.Option(help="a sovai optimize result folder: its Pareto "
                                                             "policies can be sent to the single-run view")] = None,
    ):
        """Start the dashboard (single run, compare, 日本語/English) at http://HOST:PORT."""
        if importlib.util.find_spec("solara") is None:
            typer.echo("error: solara is not installed; run: pip install -e '.[viz]'", err=True)
            raise typer.Exit(2)
        if assets is not None and not assets.is_dir():
            typer.echo(f"error: --assets: {assets} is not a folder", err=True)
            raise typer.Exit(2)
        if optimization is not None and not (optimization / "optimization.json").is_file():
            typer.echo(f"error: --optimization: {optimization} holds no sovai optimize result (optimization.json)",
                       err=True)
            raise typer.Exit(2)
        env = dashboard_env(assets)
        if optimization is not None:
            env[OPTIMIZATION_ENV] = str(optimization.resolve())
        typer.echo(f"sovai dashboard on http://{host}:{port}  (Ctrl+C to stop)", err=True)
        proc = subprocess.Popen(command(host, port, open_browser), env=env)

        def stop(signum, _frame):  # SIGTERM to this command stops the server too
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, stop)
        try:
            raise typer.Exit(proc.wait())
        except KeyboardInterrupt:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            raise typer.Exit(130) from None
