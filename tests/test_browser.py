"""Real-browser test of ``run.py viz``: Debian's Chromium driven by Playwright (no browser download).

Starts the server as a user would, on a free port, and checks what the user sees: the map appears,
Step advances the date and redraws the map, a slider change shows up and Reset applies it, Play and
Pause work, every layer tab can be picked at a 1400 px wide window without the map leaving the view,
and the baseline band arrives. Nothing may fail in the console and no request may leave 127.0.0.1.
The final screenshot goes to the test's temporary folder; only ``make screenshots`` (which sets
``SIM_SCREENSHOT=docs/img/browser_view.png``) copies it to the README's picture.
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

from sim.views.drawing import LAYERS

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
SCREENSHOT_ENV = "SIM_SCREENSHOT"  # where to copy the final screenshot (make screenshots); unset: nowhere
WIDTH, HEIGHT = 1400, 1000
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
LOCAL_HOSTS = {"127.0.0.1"}
MAP = "img.sim-map"
# The layer tabs, the one shown first (Control) last, so that every click changes the map.
LAYER_LABELS = [style.label for style in LAYERS.values()][1:] + [next(iter(LAYERS.values())).label]


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


def map_in_view(page) -> dict:
    """Where the map is, and whether anything around it scrolls sideways."""
    return page.evaluate(
        """(sel) => { const img = document.querySelector(sel); const r = img.getBoundingClientRect();
        const scrolled = []; for (let el = img.parentElement; el; el = el.parentElement) {
          if (el.scrollLeft > 0 || (el.scrollWidth > el.clientWidth + 1
              && ['auto', 'scroll'].includes(getComputedStyle(el).overflowX))) scrolled.push(el.className); }
        const doc = document.documentElement;
        return {left: r.left, right: r.right, width: r.width, view: doc.clientWidth,
                page_scrolls: doc.scrollWidth > doc.clientWidth + 1, scrolled: scrolled}; }""", MAP)


def map_src(page) -> str:
    return page.locator(MAP).get_attribute("src")


def wait_map_changed(page, before: str) -> None:
    page.wait_for_function(
        "([sel, b]) => {const i = document.querySelector(sel);"
        " return i && i.src !== b && i.complete && i.naturalWidth > 0}",
        arg=[MAP, before])


@pytest.mark.browser
def test_browser_view_in_chromium(tmp_path):  # noqa: C901 (one user session, step by step)
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
                viewport={"width": WIDTH, "height": HEIGHT})
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

                # Every layer tab: the map is redrawn and stays whole in view (issue 14: at 1400 px the tabs
                # overflowed and one scrolled the map sideways, cutting off Herat and Farah).
                for label in LAYER_LABELS:
                    src = map_src(page)
                    page.get_by_role("button", name=label, exact=True).click()
                    wait_map_changed(page, src)
                    where = map_in_view(page)
                    assert where["left"] >= 0 and where["right"] <= where["view"] and where["width"] > 400, (label, where)
                    assert not where["page_scrolls"] and where["scrolled"] == [], (label, where)

                # Names off and on redraw the map.
                src = map_src(page)
                page.get_by_text("Province names", exact=True).click()
                wait_map_changed(page, src)
                page.get_by_text("Province names", exact=True).click()
                page.get_by_role("button", name="Control", exact=True).click()

                # The baseline band is computed in the background and drawn behind the charts.
                charts = page.locator("img.sim-charts").get_attribute("src")
                page.get_by_text(re.compile(r"^Baseline band")).click()
                page.wait_for_function(
                    "b => {const i = document.querySelector('img.sim-charts'); return i && i.src !== b}", arg=charts)
                page.get_by_text(re.compile("^Computing the baseline band")).wait_for(state="detached", timeout=120_000)

                page.wait_for_timeout(800)
                shot = tmp_path / "browser_view.png"
                page.screenshot(path=str(shot))
                if os.environ.get(SCREENSHOT_ENV):
                    target = ROOT / os.environ[SCREENSHOT_ENV]
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(shot, target)
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
