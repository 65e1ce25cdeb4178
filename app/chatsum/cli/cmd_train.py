"""`chatsum train data | lora | export`: fine-tune the summarizer on your machine.

Thin: each action gathers its inputs from flags and services, runs one core
generator from `chatsum.core.pipelines.training` under `run_model_job`
(progress on stderr, Ctrl+C cancels), and prints a short report or `--json`.
torch/transformers/peft are needed only by `lora` and `export` (the optional
`chatsum[train]` extra); `data` runs with the base install.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from chatsum.cli.cmd_eval import DEFAULT_SUMMARIZE_DATA, chosen_generator, run_model_job
from chatsum.cli.output import print_json
from chatsum.core.errors import ConfigError
from chatsum.core.llm.base import TextGenerator
from chatsum.core.progress import CancelToken
from chatsum.services import AppServices


def register(sub: Any) -> None:
    train = sub.add_parser("train", help="build training data, fine-tune and export a summarizer")
    actions = train.add_subparsers(dest="train_command", metavar="ACTION", required=True)
    _register_data(actions)
    _register_lora(actions)
    _register_export(actions)


# ---------------------------------------------------------------- data


def _register_data(actions: Any) -> None:
    p = actions.add_parser("data", help="build SFT examples in the app's exact prompt format")
    p.add_argument(
        "--out", type=Path, required=True, help="folder for train/valid JSONL + manifest"
    )
    p.add_argument("--synthetic", type=int, default=400, help="generated chats (default 400)")
    p.add_argument("--lang", default="zh,en", help="languages of generated chats (default zh,en)")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument(
        "--dataset", type=Path, action="append", default=[], help="JSONL in the eval shape"
    )
    p.add_argument("--dataset-licence", help="licence of the --dataset files (required with them)")
    p.add_argument(
        "--conversation", action="append", default=[], help="imported chat to label with a teacher"
    )
    p.add_argument("--teacher", help="installed model id that labels imported chats")
    p.add_argument("--teacher-url", help="OpenAI-compatible server that labels imported chats")
    p.add_argument("--teacher-model", default="", help="model name on --teacher-url")
    p.add_argument("--teacher-key-env", default="", help="environment variable holding its API key")
    p.add_argument(
        "--best-of", type=int, default=2, help="teacher candidates per piece (default 2)"
    )
    p.add_argument("--max-pieces", type=int, default=200, help="imported pieces to label at most")
    p.add_argument(
        "--eval-set",
        type=Path,
        action="append",
        default=None,
        help=f"eval JSONL kept out of training (default: {DEFAULT_SUMMARIZE_DATA.name})",
    )
    p.add_argument("--valid-share", type=float, default=0.1)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_data)


@contextmanager
def _teacher(args: argparse.Namespace, services: AppServices) -> Iterator[TextGenerator]:
    if args.teacher_url:
        from chatsum.core.llm.remote import OpenAICompatibleGenerator

        key = os.environ.get(args.teacher_key_env, "") if args.teacher_key_env else ""
        yield OpenAICompatibleGenerator(
            args.teacher_url, args.teacher_model, key, services.settings.n_ctx
        )
        return
    with chosen_generator(services, args.teacher) as generator:
        yield generator


def cmd_data(args: argparse.Namespace, services: AppServices) -> int:
    from chatsum.core.pipelines.training.dataset import write_dataset
    from chatsum.core.pipelines.training.sources import (
        archive_examples,
        archive_pieces,
        dataset_examples,
        synthetic_examples,
    )

    languages = [lang.strip() for lang in args.lang.split(",") if lang.strip()]
    if any(lang not in ("zh", "en") for lang in languages) or not languages:
        raise ConfigError(f"--lang {args.lang!r}: use zh, en or zh,en.")
    if args.dataset and not args.dataset_licence:
        raise ConfigError("Say under which licence --dataset may be used: --dataset-licence TEXT.")
    if args.conversation and not (args.teacher or args.teacher_url):
        raise ConfigError("Imported chats need a teacher: --teacher MODEL_ID or --teacher-url URL.")
    eval_sets = args.eval_set
    if eval_sets is None:
        eval_sets = [DEFAULT_SUMMARIZE_DATA] if DEFAULT_SUMMARIZE_DATA.exists() else []
    cancel = CancelToken()
    examples = []
    rejected: Counter[str] = Counter()
    outcomes = []
    if args.synthetic:
        outcomes.append(
            run_model_job(
                synthetic_examples(args.synthetic, languages, args.seed, cancel), args.json
            )
        )
    for path in args.dataset:
        outcomes.append(
            run_model_job(dataset_examples(path, args.dataset_licence, cancel), args.json)
        )
    if args.conversation:
        ids = [services.store.find_conversation(ref).id for ref in args.conversation]
        pieces = archive_pieces(services.store, ids)[: args.max_pieces]
        with _teacher(args, services) as teacher:
            outcomes.append(
                run_model_job(archive_examples(pieces, teacher, args.best_of, cancel), args.json)
            )
    for outcome in outcomes:
        examples.extend(outcome.examples)
        rejected.update(outcome.rejected)
    manifest = write_dataset(args.out, examples, eval_sets, args.valid_share, rejected)
    if args.json:
        print_json(manifest.to_record())
        return 0
    print(f"{args.out}: {manifest.train} training and {manifest.valid} validation examples")
    print(
        f"  prompt {manifest.prompt_version} · by source {manifest.by_source} · by language {manifest.by_language}"
    )
    print(f"  eval sets kept out: {[e.path for e in manifest.eval_sets] or 'none'}")
    for reason, count in sorted(manifest.dropped.items()):
        print(f"  dropped {count:5d}  {reason}")
    return 0


# ---------------------------------------------------------------- lora


def _register_lora(actions: Any) -> None:
    p = actions.add_parser("lora", help="LoRA fine-tuning on a base model's GGUF (resumable)")
    p.add_argument("--data", type=Path, required=True, help="folder written by `train data`")
    p.add_argument("--out", type=Path, required=True, help="run folder (an existing run resumes)")
    p.add_argument("--base", help="installed base model id (default: the model in use)")
    p.add_argument("--steps", type=int, help="optimizer steps (default: one epoch)")
    p.add_argument("--epochs", type=float, default=1.0)
    p.add_argument("--rank", type=int, default=16)
    p.add_argument("--alpha", type=int, default=32)
    p.add_argument("--lr", type=float, default=2e-4)
    p.add_argument("--accum", type=int, default=8, help="examples per optimizer step")
    p.add_argument("--max-tokens", type=int, default=3072, help="longer examples are skipped")
    p.add_argument("--checkpoint-every", type=int, default=25)
    p.add_argument("--valid-limit", type=int, default=32, help="validation examples scored")
    p.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    p.add_argument("--threads", type=int, help="CPU threads (default: torch's choice)")
    p.add_argument(
        "--no-gradient-checkpointing",
        action="store_true",
        help="faster, but needs several GB more memory",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_lora)


def cmd_lora(args: argparse.Namespace, services: AppServices) -> int:
    from chatsum.core.pipelines.training.lora import BaseModelRef, LoraSettings, train_lora

    base_id = args.base or services.settings.model
    store = services.model_store
    plan = store.prepare_load(base_id)
    installed = store.get(base_id)
    if plan.adapter_path is not None or installed is None or installed.weights is None:
        raise ConfigError(f"{base_id!r} is an adapter variant; train on its base model instead.")
    base = BaseModelRef(base_id, str(plan.path), installed.weights.sha256, plan.info.architecture)
    settings = LoraSettings(
        rank=args.rank,
        alpha=args.alpha,
        learning_rate=args.lr,
        epochs=args.epochs,
        max_steps=args.steps,
        grad_accum=args.accum,
        max_tokens=args.max_tokens,
        checkpoint_every=args.checkpoint_every,
        valid_limit=args.valid_limit,
        gradient_checkpointing=not args.no_gradient_checkpointing,
        device=args.device,
        threads=args.threads,
    )
    result = run_model_job(
        train_lora(args.data, base, args.out, settings, CancelToken()), args.json
    )
    record = result.record
    if args.json:
        print_json(record.to_record())
        return 0
    print(f"{result.adapter_dir}: {record.step} steps on {record.train_examples} examples")
    print(
        f"  {record.train_seconds:.0f} s · {record.tokens_per_second or 0:.0f} tokens/s · "
        f"validation loss {record.valid_loss_before} → {record.valid_loss_after}"
    )
    print(f"  next: chatsum train export --run {args.out}")
    return 0


# ---------------------------------------------------------------- export


def _register_export(actions: Any) -> None:
    p = actions.add_parser("export", help="write the GGUF LoRA adapter and install it as a model")
    p.add_argument("--run", type=Path, required=True, help="run folder of `train lora`")
    p.add_argument("--id", dest="model_id", help="model id (default: <base>-chatsum-lora)")
    p.add_argument("--out", type=Path, help="adapter file (default: <run>/<id>.gguf)")
    p.add_argument("--no-register", action="store_true", help="only write the file")
    p.add_argument(
        "--metrics-before", type=Path, help="`chatsum eval summarize --json` of the base"
    )
    p.add_argument("--metrics-after", type=Path, help="the same for the fine-tuned model")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_export)


def _totals(path: Path | None) -> dict[str, Any] | None:
    if path is None:
        return None
    try:
        return dict(json.loads(path.read_text(encoding="utf-8"))["totals"])
    except (OSError, ValueError, KeyError) as exc:
        raise ConfigError(f"{path}: not a `chatsum eval summarize --json` report ({exc}).") from exc


def cmd_export(args: argparse.Namespace, services: AppServices) -> int:
    from chatsum.core.pipelines.training.card import build_card, render_card
    from chatsum.core.pipelines.training.export import export_gguf_adapter
    from chatsum.core.pipelines.training.lora import ADAPTER_DIR, RunRecord
    from chatsum.core.pipelines.training.registration import register_adapter

    record = RunRecord.read(args.run)
    if not record.finished:
        raise ConfigError(f"{args.run}: training has not finished; run `chatsum train lora` again.")
    model_id = args.model_id or f"{record.base.id}-chatsum-lora"
    out = args.out or args.run / f"{model_id}.gguf"
    exported = export_gguf_adapter(
        args.run / ADAPTER_DIR,
        Path(record.base.path),
        out,
        model_id,
        {
            "chatsum.base_model": record.base.id,
            "chatsum.base_sha256": record.base.sha256,
            "chatsum.prompt_version": str(record.data.get("prompt_version")),
        },
    )
    card = build_card(
        model_id, record, exported, _totals(args.metrics_before), _totals(args.metrics_after)
    )
    (args.run / "MODEL_CARD.md").write_text(render_card(card), encoding="utf-8")
    (args.run / "model_card.json").write_text(
        json.dumps(card, ensure_ascii=False, indent=2) + "\n", "utf-8"
    )
    installed = None
    if not args.no_register:
        installed = run_model_job(
            register_adapter(services.model_store, exported.path, record.base.id, model_id, card),
            args.json,
        )
    if args.json:
        print_json(
            {
                **dataclasses.asdict(exported),
                "path": str(exported.path),
                "registered": bool(installed),
            }
        )
        return 0
    print(
        f"{exported.path}: {exported.size:,} bytes, {exported.tensors} tensors, sha256 {exported.sha256}"
    )
    print(f"  model card: {args.run / 'MODEL_CARD.md'}")
    if installed is not None:
        print(
            f"  installed as {installed.id} (on {record.base.id}); try: chatsum models test {installed.id}"
        )
    return 0
