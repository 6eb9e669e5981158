"""Real-browser test of ``run.py viz``: Debian's Chromium driven by Playwright (no browser download).

Starts the server as a user would, on a free port, and checks what the user sees: the map appears,
Step advances the date and redraws the map, a slider change shows up and Reset applies it, Play and
Pause work, another layer can be picked. Nothing may fail in the console and no request may leave
127.0.0.1. The final screenshot is kept as a test artifact and as the README's picture.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
ARTIFACT = ROOT / "test-artifacts" / "browser.png"
README_IMAGE = ROOT / "docs" / "img" / "browser_view.png"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
LOCAL_HOSTS = {"127.0.0.1"}
MAP = "img.sim-map"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_http(url: str, proc: subprocess.Popen, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"run.py viz exited early with code {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"{url} did not answer within {timeout:.0f} s")


def stop(proc: subprocess.Popen) -> int:
    """Ctrl-C by PID (as a user stops it); kill only if it does not end."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return proc.returncode


def step_number(page) -> int:
    return int(page.get_by_text(re.compile(r"^Step: \d+$")).inner_text().split(": ")[1])


def settled_step(page, quiet: float = 2.0, timeout: float = 30.0) -> int:
    """The step counter once it has not moved for ``quiet`` seconds (fails if it keeps moving)."""
    deadline = time.monotonic() + timeout
    last = step_number(page)
    while time.monotonic() < deadline:
        time.sleep(quiet)
        now = step_number(page)
        if now == last:
            return now
        last = now
    raise AssertionError(f"the step counter was still moving after {timeout:.0f} s of Pause")


def map_src(page) -> str:
    return page.locator(MAP).get_attribute("src")


def wait_map_changed(page, before: str) -> None:
    page.wait_for_function(
        "([sel, b]) => {const i = document.querySelector(sel);"
        " return i && i.src !== b && i.complete && i.naturalWidth > 0}",
        arg=[MAP, before])


@pytest.mark.browser
def test_browser_view_in_chromium(tmp_path):
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "needs Debian's chromium (make test installs it: apt-get install chromium)"
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    log = tmp_path / "server.log"
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, "run.py", "viz", "--port", str(port)], cwd=ROOT,
                                stdout=out, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    console_errors, requests = [], []
    try:
        wait_for_http(url, proc)
        with sync_playwright() as p:
            ctx = p.chromium.launch_persistent_context(
                tempfile.mkdtemp(dir=tmp_path), executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS,
                viewport={"width": 1600, "height": 1000})
            try:
                page = ctx.new_page()
                page.set_default_timeout(60_000)
                page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
                page.on("pageerror", lambda e: console_errors.append(str(e)))
                page.on("request", lambda r: requests.append(r.url))
                page.goto(url)

                # The map is shown, dated at step 0.
                page.get_by_role("button", name="Step").wait_for()
                page.wait_for_function(
                    "s => {const i = document.querySelector(s); return i && i.complete && i.naturalWidth > 0}", arg=MAP)
                page.get_by_text("Date: 2021-08-15", exact=True).wait_for()
                before_src, before_px = map_src(page), page.locator(MAP).screenshot()

                # Step: the date advances a week and the map is redrawn.
                page.get_by_role("button", name="Step").click()
                page.get_by_text("Date: 2021-08-22", exact=True).wait_for()
                wait_map_changed(page, before_src)
                assert page.locator(MAP).screenshot() != before_px, "the map's pixels did not change"
                assert step_number(page) == 1

                # A slider change is flagged, and Reset rebuilds the model with it at step 0.
                amnesty = page.locator(".v-input", has_text="Amnesty (generosity of terms)")
                amnesty.get_by_role("slider").focus()
                page.keyboard.press("End")
                amnesty.get_by_text("Amnesty (generosity of terms): 1.00").wait_for()
                notice = page.get_by_text("Changed settings take effect on Reset.")
                notice.wait_for()
                page.get_by_role("button", name="Reset").click()
                page.get_by_text("Step: 0", exact=True).wait_for()
                notice.wait_for(state="detached")
                assert amnesty.get_by_text("Amnesty (generosity of terms): 1.00").is_visible()

                # Play runs several weeks; Pause stops it.
                page.get_by_role("button", name="▶").click()
                page.wait_for_function(
                    "() => [...document.querySelectorAll('span')]"
                    ".some(s => /^Step: ([6-9]|\\d\\d+)$/.test(s.textContent))")
                page.get_by_role("button", name="❚❚").click()
                paused_at = settled_step(page)  # a step under way when Pause was clicked may still finish
                time.sleep(3)
                assert step_number(page) == paused_at >= 6, "Pause did not stop the model"

                # Another layer.
                src = map_src(page)
                page.get_by_role("button", name="ISIS-K influence").click()
                wait_map_changed(page, src)

                page.wait_for_timeout(500)
                ARTIFACT.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(ARTIFACT))
                README_IMAGE.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(ARTIFACT, README_IMAGE)
            finally:
                ctx.close()
    finally:
        code = stop(proc)
    output = log.read_text()
    assert console_errors == [], output
    foreign = sorted({u for u in requests if urlsplit(u).scheme in ("http", "https", "ws", "wss")
                      and urlsplit(u).hostname not in LOCAL_HOSTS})
    assert foreign == []
    assert any(urlsplit(u).path.startswith("/_solara/cdn/") for u in requests)  # assets served locally
    assert "Could not load URL" not in output  # the server did not try the CDN either
    assert "Traceback" not in output, output
    assert code == 0 and f"open {url}" in output and "Browser view stopped." in output, output
