"""Run every benchmark and evaluation one after the other (`make bench`).

They share two cores, so running them side by side would measure the
contention, not the code. Each step's output goes to bench/out/<step>.log
(the JSON a step writes lands in bench/out/ too), with the load average before
and after, and a failed step does not stop the others. `--only a,b` picks steps.

    .venv/bin/python bench/run_all.py [--only import,engine]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
PY = sys.executable
CHATSUM = [str(Path(PY).parent / "chatsum")]

# (step, command), in the order they run
STEPS: list[tuple[str, list[str]]] = [
    ("import", [PY, str(HERE / "bench_import.py"), "--messages", "1000000", "--search-runs", "40"]),
    ("engine", [PY, str(HERE / "bench_engine.py")]),
    ("ui_stall", [PY, str(HERE / "bench_ui_stall.py"), "--messages", "1000000"]),
    ("index_throughput", [PY, str(HERE / "bench_index.py"), "throughput", "--messages", "20000"]),
    (
        "index_retrieval",
        [PY, str(HERE / "bench_index.py"), "retrieval", "--workdir", "/tmp/bench-1m"],
    ),
    ("eval_extract", [*CHATSUM, "eval", "extract", "--json"]),
    ("summarize_speed", [PY, str(HERE / "bench_summarize.py"), "--sizes", "1000,2000"]),
    ("eval_summarize", [*CHATSUM, "eval", "summarize", "--json"]),
    ("eval_answer", [*CHATSUM, "eval", "answer", "--json"]),
]


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="comma-separated step names")
    args = parser.parse_args()
    wanted = set(filter(None, args.only.split(",")))
    OUT.mkdir(exist_ok=True)
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    failed = []
    for step, command in STEPS:
        if wanted and step not in wanted:
            continue
        log = OUT / f"{step}.log"
        started = time.monotonic()
        with log.open("w", encoding="utf-8") as stream:
            stream.write(f"$ {' '.join(command)}\n# load before: {load()}\n")
            stream.flush()
            code = subprocess.call(command, stdout=stream, stderr=subprocess.STDOUT, env=env)
            stream.write(
                f"# load after: {load()}; exit {code}; {time.monotonic() - started:.0f} s\n"
            )
        print(f"{step}: exit {code}, {time.monotonic() - started:.0f} s -> {log}", flush=True)
        if code != 0:
            failed.append(step)
    if failed:
        print("failed:", ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
