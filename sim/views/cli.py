"""``run.py viz``: serve the browser view (``sim/views/app.py``) with Solara on this machine only.

The server runs in this process, so stopping this process (Ctrl-C, or SIGTERM to its PID) stops it.
It makes no request beyond 127.0.0.1: Solara's telemetry and its PyPI version check are turned off,
and its page assets come from the local ``solara-assets`` cache (docs/sources.md#mesa_viz).
"""

from __future__ import annotations

import argparse
import errno
import ipaddress
import os
import socket
import warnings

from sim.errors import UserError
from sim.inputs.scenario import load_scenario

APP_MODULE = "sim.views.app"
DEFAULT_PORT = 8765


def check_host(host: str) -> str:
    """Only loopback addresses: the view is for the analyst's own machine."""
    if host == "localhost":
        return host
    try:
        if ipaddress.ip_address(host).is_loopback:
            return host
    except ValueError:
        pass
    raise UserError(f"--host '{host}' is not a loopback address; the browser view only listens on this machine "
                    f"(use 127.0.0.1, ::1 or localhost).")


def check_port(host: str, port: int) -> None:
    """Fail early with a clear message when the port is invalid or taken."""
    if not 1 <= port <= 65535:
        raise UserError(f"--port {port} is out of range; allowed: 1 to 65535.")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise UserError(f"--port {port} on {host} is already in use; choose another with --port.") from None
            raise UserError(f"cannot listen on {host}:{port}: {exc.strerror}.") from None


def cmd_viz(args: argparse.Namespace) -> int:
    scenario = load_scenario(args.scenario)  # unknown name, bad or non-UTF-8 file -> ScenarioError, exit 2
    # --seed is checked with every seed flag before any command runs (insurgency_abm.cli.check_seeds).
    host = check_host(args.host)
    check_port(host, args.port)
    os.environ["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "False"  # read when solara's settings are imported
    os.environ["SIM_VIZ_SCENARIO"] = args.scenario
    os.environ["SIM_VIZ_SEED"] = str(args.seed)
    from click.exceptions import Abort
    from solara.__main__ import run
    from solara.server import settings

    settings.telemetry.mixpanel_enable = False
    # Plain http on loopback is intended; Solara warns about SameSite cookies on every page load.
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https")
    shown = f"[{host}]" if ":" in host else host
    print(f"Browser view of scenario '{scenario.name}' (seed {args.seed}): open http://{shown}:{args.port}/ "
          f"— press Ctrl-C to stop.", flush=True)
    try:
        run.main(args=[APP_MODULE, "--host", host, "--port", str(args.port), "--production", "--no-open",
                       "--no-check-version"], standalone_mode=False)
    except (KeyboardInterrupt, Abort):  # Ctrl-C; click turns it into Abort
        pass
    print("Browser view stopped.", flush=True)
    return 0


EXAMPLES = """examples:
  python run.py viz
  python run.py viz --scenario iron_fist --port 8800
  python run.py viz --scenario my_policy.toml --seed 7

Open the printed address in a browser. Pick the layer above the map; Step, Play and Reset are in the
sidebar. Picking a scenario loads it at once and moves the sliders to its values; a changed seed or
slider takes effect on Reset."""


def register(sub) -> None:
    p = sub.add_parser("viz", help="browser view: the map of Afghanistan, levers and charts (Solara)",
                       description="Serve the interactive browser view of the model on this machine "
                                   "(http://127.0.0.1:PORT/). Stops on Ctrl-C.",
                       epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--scenario", default="baseline", help="bundled name or path of a TOML file (default baseline)")
    p.add_argument("--seed", type=int, default=1, help="random seed of the first run (default 1)")
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port to listen on (default {DEFAULT_PORT})")
    p.add_argument("--host", default="127.0.0.1", help="loopback address to listen on (default 127.0.0.1)")
    p.set_defaults(func=cmd_viz)
