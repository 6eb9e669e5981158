"""Progress of a sweep: a tqdm bar on a terminal, plain lines now and then in a log or CI."""

from __future__ import annotations

import math
import sys
import time


class Progress:
    """Runs done of planned: a tqdm bar on a terminal, a plain line now and then otherwise."""

    def __init__(self, total: int, initial: int, enabled: bool, stream=None):
        self.stream = stream or sys.stderr
        self.total, self.count, self.start_count = total, initial, initial
        self.enabled = enabled
        self.started = self.last = time.monotonic()
        self.every = max(1, total // 20)
        self.bar = None
        if enabled and self.stream.isatty():
            from tqdm import tqdm
            self.bar = tqdm(total=total, initial=initial, unit="run", file=self.stream, dynamic_ncols=True)

    def update(self, failed: int) -> None:
        self.count += 1
        if self.bar is not None:
            self.bar.update(1)
            if failed:
                self.bar.set_postfix(failed=failed)
        elif self.enabled and (self.count % self.every == 0 or time.monotonic() - self.last > 30
                               or self.count == self.total):
            self.last = time.monotonic()
            rate = (self.count - self.start_count) / max(self.last - self.started, 1e-9)
            left = (self.total - self.count) / rate if rate > 0 else math.inf
            eta = f", about {left:.0f} s left" if math.isfinite(left) and self.count < self.total else ""
            extra = f", {failed} failed" if failed else ""
            print(f"sweep: {self.count}/{self.total} runs{extra} ({rate:.2f} runs/s{eta})", file=self.stream,
                  flush=True)

    def note(self, text: str) -> None:
        if self.bar is not None:
            self.bar.write(text, file=self.stream)
        elif self.enabled:
            print(text, file=self.stream, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
