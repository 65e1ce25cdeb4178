"""Import and search benchmark on generated 1M-message exports (issue 2).

Each import runs in a fresh subprocess with its own CHATSUM_HOME so peak RSS
(ru_maxrss) is the import's own. Prints one line per measurement and a JSON
summary at the end.

    .venv/bin/python bench/bench_import.py --messages 1000000
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

IMPORT_SNIPPET = r"""
import json, resource, sys, time
from pathlib import Path
from chatsum.core.importers.base import ParseOptions
from chatsum.core.pipelines import importing
from chatsum.core.pipelines.importing import import_paths
from chatsum.core.progress import drive
db, path, writer = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
if writer == "in-process":
    importing.CHILD_WRITER_MIN_BYTES = 1 << 62
start = time.perf_counter()
report = drive(import_paths(db, [path], ParseOptions(default_utc_offset_min=480)))
elapsed = time.perf_counter() - start
source = report.sources[0]
print(json.dumps({"seconds": elapsed, "new": source.messages_new, "duplicates": source.duplicates,
                  "status": source.status, "format": source.format, "error": source.error,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "writer_peak_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""

QUERIES = {
    "two-char Chinese (爬山)": "爬山",
    "Chinese phrase (发布时间要推迟)": "发布时间要推迟",
    "English word (deploy)": "deploy",
}


def run_import(db: Path, path: Path, writer: str = "default") -> dict[str, object]:
    """Import in a fresh process; `writer` "in-process" keeps big files off the child writer."""
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_SNIPPET, str(db), str(path), writer],
        check=True,
        capture_output=True,
        text=True,
    )
    data: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    if data["status"] == "failed":
        raise SystemExit(f"import failed: {data['error']}")
    return data


def search_latency(db: Path, runs: int) -> dict[str, dict[str, float]]:
    from chatsum.core.storage.store import Store

    store = Store.open(db)
    figures: dict[str, dict[str, float]] = {}
    for label, query in QUERIES.items():
        store.search(query, limit=20, context=1)  # warm the page cache
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            hits = store.search(query, limit=20, context=1)
            times.append((time.perf_counter() - start) * 1000)
        times.sort()
        figures[label] = {
            "hits": len(hits),
            "p50_ms": statistics.median(times),
            "p95_ms": times[int(0.95 * (len(times) - 1))],
        }
    store.close()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--out", type=Path, default=HERE / "out")
    parser.add_argument("--search-runs", type=int, default=100)
    parser.add_argument(
        "--compare-in-process",
        action="store_true",
        help="first import each file with the in-process writer too, for the ratio",
    )
    args = parser.parse_args()

    files = {
        "whatsapp-txt": args.out / f"whatsapp_{args.messages}.txt",
        "telegram-json": args.out / f"telegram_{args.messages}.json",
    }
    if not all(path.exists() for path in files.values()):
        subprocess.run(
            [
                sys.executable,
                str(HERE / "gen_exports.py"),
                "--messages",
                str(args.messages),
                "--out",
                str(args.out),
            ],
            check=True,
        )
    summary: dict[str, object] = {"messages": args.messages}
    work = Path(tempfile.mkdtemp(prefix="chatsum-bench-"))
    try:
        for label, path in files.items():
            db = work / label / "chatsum.db"
            if args.compare_in_process:
                local = run_import(work / f"{label}-local" / "chatsum.db", path, "in-process")
                rate_local = args.messages / float(local["seconds"])  # type: ignore[arg-type]
                print(
                    f"{label}: import, in-process writer, {local['seconds']:.1f}s = {rate_local:,.0f} msgs/s, peak RSS {local['peak_rss_mb']:.0f} MB"
                )
                shutil.rmtree(work / f"{label}-local")
            first = run_import(db, path)
            rate = args.messages / float(first["seconds"])  # type: ignore[arg-type]
            print(
                f"{label}: import {first['new']} msgs in {first['seconds']:.1f}s = {rate:,.0f} msgs/s, peak RSS {first['peak_rss_mb']:.0f} MB (writer process {first['writer_peak_rss_mb']:.0f} MB)"
            )
            if args.compare_in_process:
                print(f"{label}: child writer / in-process writer speed = {rate / rate_local:.2f}")
            again = run_import(db, path)
            rate_again = args.messages / float(again["seconds"])  # type: ignore[arg-type]
            print(
                f"{label}: re-import same file ({again['status']}) {again['seconds']:.2f}s = {rate_again:,.0f} msgs/s"
            )
            # A newer export of the same chat: same file name, one more message.
            changed = work / "newer" / path.name
            changed.parent.mkdir(exist_ok=True)
            shutil.copyfile(path, changed)
            if path.suffix == ".txt":
                with changed.open("a", encoding="utf-8") as handle:
                    handle.write("31/12/2030, 23:59 - Tom: one more message\n")
                newer = run_import(db, changed)
                rate_newer = args.messages / float(newer["seconds"])  # type: ignore[arg-type]
                print(
                    f"{label}: re-import newer export (+1 msg, {newer['duplicates']} duplicates) {newer['seconds']:.1f}s = {rate_newer:,.0f} msgs/s, peak RSS {newer['peak_rss_mb']:.0f} MB"
                )
                summary[f"{label}_newer_export_msgs_per_s"] = round(rate_newer)
            summary[label] = {
                "import_msgs_per_s": round(rate),
                "peak_rss_mb": round(float(first["peak_rss_mb"])),  # type: ignore[arg-type]
                "reimport_msgs_per_s": round(rate_again),
                "db_mb": round(db.stat().st_size / 1e6),
            }
        latency = search_latency(work / "whatsapp-txt" / "chatsum.db", args.search_runs)
        for label, figures in latency.items():
            print(
                f"search {label}: {figures['hits']} hits, p50 {figures['p50_ms']:.1f} ms, p95 {figures['p95_ms']:.1f} ms"
            )
        summary["search"] = latency
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(summary, ensure_ascii=False))


if __name__ == "__main__":
    main()
