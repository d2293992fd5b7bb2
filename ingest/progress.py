"""Progress for long ingests: a bar with rate and ETA on a terminal, plain lines otherwise."""
from __future__ import annotations

import sys
import time
from typing import TextIO

from catalogue.i18n import choose_language, gettext


def _t(msgid: str, /, **values) -> str:
    return gettext(msgid, choose_language(), **values)


class Progress:
    """Counts records per file; call ``step()`` per record and ``done()`` per file."""

    def __init__(self, stream: TextIO, every: int = 5000, interval: float = 0.2):
        self.stream = stream
        self.tty = hasattr(stream, "isatty") and stream.isatty()
        self.every = every
        self.interval = interval
        self.name = ""
        self.total: int | None = None
        self.count = 0
        self.start = 0.0
        self._last = 0.0

    def begin(self, name: str, total: int | None = None) -> None:
        self.name, self.total, self.count = name, total, 0
        self.start = self._last = time.monotonic()
        if not self.tty:
            self.stream.write(_t("reading {name}", name=name) + "\n")
            self.stream.flush()

    def step(self, n: int = 1) -> None:
        self.count += n
        now = time.monotonic()
        if self.tty:
            if now - self._last >= self.interval:
                self._last = now
                self._draw(now)
        elif self.count % self.every == 0:
            rate = self.count / max(now - self.start, 1e-9)
            self.stream.write("  " + _t("{name}: {count} records ({rate}/s)", name=self.name, count=self.count, rate=f"{rate:,.0f}") + "\n")
            self.stream.flush()

    def _draw(self, now: float) -> None:
        elapsed = max(now - self.start, 1e-9)
        rate = self.count / elapsed
        if self.total:
            frac = min(self.count / self.total, 1.0)
            bar = "#" * int(frac * 30)
            eta = (self.total - self.count) / rate if rate else 0
            line = f"\r{self.name[:30]:<30} [{bar:<30}] {self.count}/{self.total} {rate:,.0f}/s ETA {eta:,.0f}s"
        else:
            line = f"\r{self.name[:30]:<30} {self.count} records {rate:,.0f}/s {elapsed:,.0f}s"
        self.stream.write(line)
        self.stream.flush()

    def done(self, summary: str = "") -> None:
        elapsed = time.monotonic() - self.start
        if self.tty:
            self.stream.write("\r\x1b[K")
        self.stream.write(_t("{name}: {count} records in {seconds}s", name=self.name, count=self.count,
                             seconds=f"{elapsed:.1f}") + f" {summary}\n")
        self.stream.flush()


class NoProgress(Progress):
    def __init__(self):
        super().__init__(sys.stderr)

    def begin(self, name, total=None):
        self.name, self.count = name, 0

    def step(self, n=1):
        self.count += n

    def done(self, summary=""):
        pass


def make_progress(stream: TextIO | None) -> Progress:
    return Progress(stream) if stream is not None else NoProgress()
