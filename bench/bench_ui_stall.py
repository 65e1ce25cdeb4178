"""How long can the desktop app's window freeze while it works? (issue 6)

Drives the real `MainWindow` through the heavy jobs a user starts and measures
the longest gap between ticks of a 10 ms QTimer on the GUI thread (a "stall":
while the GUI thread is busy, or waits for the GIL, the timer cannot fire).
Phases, each measured on its own (after an idle phase that shows the noise
floor of the machine at the time, with its load average):

1. import    a generated WhatsApp export (default 1,000,000 messages) dropped
             on the window, until the report and the conversation list are shown;
2. scroll    the 1M-message chat: the scroll bar is jumped to a random place
             every 16 ms for a few seconds (a fast drag), with the pages of
             messages loading behind it;
3. index     "Update the search index" with the configured embedder for a while,
             then Stop;
4. summary   a day of that chat summarized by the real pipeline with a
             FakeTextGenerator that answers in the requested JSON schema
             (the model's speed is not what is measured).

Runs offscreen (no display needed). Target: no stall above 100 ms.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_ui_stall.py --messages 1000000
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

HERE = Path(__file__).resolve().parent
TICK_MS = 10


class StallMeter:
    """Records the gaps between ticks of a 10 ms timer on the GUI thread."""

    def __init__(self) -> None:
        self.gaps: list[float] = []
        self._clock = QElapsedTimer()
        self._timer = QTimer()
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._on_tick)

    def start(self) -> None:
        self.gaps = []
        self._clock.start()
        self._timer.start()

    def stop(self) -> dict[str, float]:
        self._timer.stop()
        gaps = sorted(self.gaps) or [0.0]
        return {
            "ticks": len(self.gaps),
            "longest_gap_ms": round(gaps[-1], 1),
            "p99_gap_ms": round(gaps[int(len(gaps) * 0.99) - 1] if len(gaps) > 1 else gaps[-1], 1),
            "median_gap_ms": round(statistics.median(gaps), 1),
            "gaps_over_100ms": sum(1 for gap in gaps if gap > 100),
        }

    def _on_tick(self) -> None:
        self.gaps.append(self._clock.nsecsElapsed() / 1e6)
        self._clock.restart()


def run_until(done: Callable[[], bool], timeout_s: float) -> bool:
    """Run the event loop until `done()` (checked every 50 ms) or the timeout."""
    loop = QEventLoop()
    checker = QTimer()
    checker.setInterval(50)
    deadline = time.monotonic() + timeout_s

    def check() -> None:
        if done() or time.monotonic() > deadline:
            loop.quit()

    checker.timeout.connect(check)
    checker.start()
    loop.exec()
    checker.stop()
    return done()


def export_file(messages: int, work: Path) -> Path:
    cached = HERE / "out" / f"whatsapp_{messages}.txt"
    if cached.exists():
        return cached
    sys.path.insert(0, str(HERE))
    from gen_exports import write_whatsapp

    path = work / f"whatsapp_{messages}.txt"
    write_whatsapp(path, messages)
    return path


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--scroll-seconds", type=float, default=8.0)
    parser.add_argument("--index-seconds", type=float, default=60.0)
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()

    sys.path.insert(0, str(HERE.parent))  # the schema-following fake model lives with the UI tests
    from chatsum.config import load_settings
    from chatsum.core.llm.fake import FakeTextGenerator
    from chatsum.services import AppServices
    from chatsum.ui.main_window import MainWindow
    from tests.ui.schema_reply import reply_following_schema

    app = QApplication.instance() or QApplication([])
    results: dict[str, Any] = {"messages": args.messages, "platform": os.environ["QT_QPA_PLATFORM"]}
    meter = StallMeter()
    with tempfile.TemporaryDirectory(prefix="chatsum-ui-bench-") as tmp:
        work = Path(tmp)
        export = export_file(args.messages, work)
        settings = load_settings({"home": work / "home"}, environ={})
        generator = FakeTextGenerator(reply_following_schema, delay_s=0.002)
        window = MainWindow(AppServices(settings, generator=generator))
        window.resize(1400, 860)
        window.show()
        run_until(lambda: not window.runner.active_jobs, 30)

        # 0. nothing running: the noise floor of this machine right now
        meter.start()
        run_until(lambda: False, 5)
        results["idle"] = {**meter.stop(), "load_average": os.getloadavg()[0]}
        print("idle", results["idle"], flush=True)

        # 1. import
        finished: list[Any] = []
        window.import_panel.imported.connect(finished.append)
        meter.start()
        started = time.monotonic()
        window.import_paths([export])
        run_until(lambda: bool(finished), 3600)
        imported_s = time.monotonic() - started
        run_until(
            lambda: window.messages.model.has_separators and not window.runner.active_jobs, 600
        )
        results["import"] = {
            **meter.stop(),
            "seconds": round(imported_s, 1),
            "until_chat_shown_s": round(time.monotonic() - started, 1),
            "messages_new": getattr(finished[0], "messages_new", None),
        }
        print("import", results["import"], flush=True)

        # 2. scroll the whole chat by jumps, like a fast drag of the scroll bar
        bar = window.messages.view.verticalScrollBar()
        rng = random.Random(6)
        jumper = QTimer()
        jumper.setInterval(16)
        jumper.timeout.connect(lambda: bar.setValue(rng.randint(0, bar.maximum())))
        meter.start()
        jumper.start()
        run_until(lambda: False, args.scroll_seconds)
        jumper.stop()
        loaded = run_until(
            lambda: (
                window.messages.view.indexAt(window.messages.view.rect().center()).data()
                is not None
            ),
            5,
        )
        results["scroll"] = {
            **meter.stop(),
            "rows": window.messages.model.rowCount(),
            "last_page_loaded": loaded,
        }
        print("scroll", results["scroll"], flush=True)

        # 3. index for a while, then stop
        meter.start()
        window.update_index()
        run_until(lambda: window._index_job is None, args.index_seconds)
        indexed_label = window.index_label.text()
        if window._index_job is not None:
            window.index_cancel.click()
            run_until(lambda: window._index_job is None, 120)
        results["index"] = {
            **meter.stop(),
            "embedder": settings.embedder,
            "progress": indexed_label,
            "ended": window.index_label.text(),
        }
        print("index", results["index"], flush=True)

        # 4. summarize the busiest day with the scripted generator
        summary = window.summary
        summary.scope_box.setCurrentIndex(summary.scope_box.findData("day"))
        shown: list[Any] = []
        summary.summary_shown.connect(shown.append)
        failures: list[str] = []
        meter.start()
        started = time.monotonic()
        summary.summarize_button.click()
        run_until(lambda: bool(shown) or not summary.running, 1800)
        if not shown:
            failures.append(summary.status.text())
        results["summary"] = {
            **meter.stop(),
            "seconds": round(time.monotonic() - started, 1),
            "model_calls": len(generator.calls),
            "messages": shown[0].message_count if shown else None,
            "failed": failures or None,
        }
        print("summary", results["summary"], flush=True)
        window.close()
    app.processEvents()
    print(json.dumps(results, ensure_ascii=False, indent=2))
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    worst = max(
        results[phase]["longest_gap_ms"] for phase in ("import", "scroll", "index", "summary")
    )
    return 0 if worst <= 100 + TICK_MS else 1


if __name__ == "__main__":
    sys.exit(main())
