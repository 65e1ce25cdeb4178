"""LoRA fine-tuning of the summarizer: a plain training loop, resumable and cancellable.

A hand-written loop rather than `transformers.Trainer`, because the app needs
what Trainer makes awkward: a generator that yields `Progress` (loss,
tokens/s, ETA) after every example, a `CancelToken` checked between examples,
and checkpoints that a later run picks up exactly where this one stopped.
Choices, each for a measured reason:
- bf16 base weights (CPU with AMX, or CUDA), LoRA weights and optimizer in
  fp32: the base is frozen, so only the small adapter needs precision;
- batch size 1 with gradient accumulation: no padding, so no wasted compute
  on a CPU where every token costs;
- loss only on reply tokens, normalized per accumulated group by its reply
  token count; logits are computed only for reply positions (the prompt is
  most of the sequence, and a full-vocabulary logit matrix per prompt token
  would dominate memory);
- gradient checkpointing on by default: activations of a 1.5B model over
  3,000 tokens otherwise need several GB;
- the data order is a fixed permutation per epoch (from the seed), so a
  checkpoint only needs the position to resume bit-for-bit in order.
A run folder holds `run.json` (settings, data, figures), `checkpoints/` (the
last two) and, when done, `adapter/` (peft format), which `export` turns into
a GGUF adapter.
"""

from __future__ import annotations

import json
import math
import platform
import random
import shutil
import time
from collections.abc import Generator, Sequence
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from chatsum.core.errors import Cancelled, ConfigError
from chatsum.core.pipelines.summarizing.prompts import PROMPT_VERSION
from chatsum.core.pipelines.training.base_model import LoadedBase, load_base, pick_device
from chatsum.core.pipelines.training.dataset import (
    TRAIN_FILE,
    VALID_FILE,
    DatasetManifest,
)
from chatsum.core.pipelines.training.encoding import EncodedExample, encode
from chatsum.core.pipelines.training.examples import read_examples
from chatsum.core.progress import CancelToken, EtaClock, Progress

RUN_FILE = "run.json"
ADAPTER_DIR = "adapter"
CHECKPOINTS_DIR = "checkpoints"
KEEP_CHECKPOINTS = 2
LINEAR_MODULES = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")


@dataclass(frozen=True)
class LoraSettings:
    rank: int = 16
    alpha: int = 32
    dropout: float = 0.05
    learning_rate: float = 2e-4
    epochs: float = 1.0
    max_steps: int | None = None
    grad_accum: int = 8
    max_tokens: int = 3072
    warmup_share: float = 0.05
    checkpoint_every: int = 25
    valid_limit: int = 32
    gradient_checkpointing: bool = True
    seed: int = 7
    device: str = "auto"
    threads: int | None = None
    target_modules: tuple[str, ...] = LINEAR_MODULES

    def check(self) -> None:
        if self.rank < 1 or self.alpha < 1 or self.grad_accum < 1 or self.max_tokens < 64:
            raise ConfigError(
                "rank, alpha and grad_accum must be at least 1, max_tokens at least 64."
            )
        if self.max_steps is None and self.epochs <= 0:
            raise ConfigError("Give a positive number of epochs or --steps.")

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> LoraSettings:
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in record.items() if k in known}
        values["target_modules"] = tuple(values.get("target_modules", LINEAR_MODULES))
        return cls(**values)


@dataclass(frozen=True)
class BaseModelRef:
    """The model trained on: its catalog id, file and checksum."""

    id: str
    path: str
    sha256: str
    architecture: str


@dataclass
class RunRecord:
    """Everything `run.json` says about a training run."""

    base: BaseModelRef
    data_dir: str
    data: dict[str, Any]
    settings: LoraSettings
    total_steps: int
    train_examples: int
    skipped_too_long: int
    device: str
    threads: int
    torch_version: str
    machine: str
    step: int = 0
    position: int = 0
    losses: list[tuple[int, float]] = field(default_factory=list)
    valid_loss_before: float | None = None
    valid_loss_after: float | None = None
    tokens_seen: int = 0
    train_seconds: float = 0.0
    finished: bool = False

    @property
    def tokens_per_second(self) -> float | None:
        return self.tokens_seen / self.train_seconds if self.train_seconds else None

    def to_record(self) -> dict[str, Any]:
        record = asdict(self)
        record["tokens_per_second"] = self.tokens_per_second
        return record

    @classmethod
    def read(cls, run_dir: Path) -> RunRecord:
        path = run_dir / RUN_FILE
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ConfigError(f"{path}: not a training run ({exc}).") from exc
        record.pop("tokens_per_second", None)
        record["base"] = BaseModelRef(**record["base"])
        record["settings"] = LoraSettings.from_record(record["settings"])
        record["losses"] = [tuple(pair) for pair in record["losses"]]
        return cls(**record)

    def write(self, run_dir: Path) -> None:
        tmp = run_dir / (RUN_FILE + ".tmp")
        tmp.write_text(json.dumps(self.to_record(), ensure_ascii=False, indent=2) + "\n", "utf-8")
        tmp.replace(run_dir / RUN_FILE)


@dataclass(frozen=True)
class TrainResult:
    run_dir: Path
    record: RunRecord

    @property
    def adapter_dir(self) -> Path:
        return self.run_dir / ADAPTER_DIR


def _encode_all(
    tokenizer: Any, path: Path, max_tokens: int, limit: int | None = None
) -> tuple[list[EncodedExample], int]:
    encoded: list[EncodedExample] = []
    skipped = 0
    for example in read_examples(path):
        if limit is not None and len(encoded) >= limit:
            break
        item = encode(tokenizer, example, max_tokens)
        if item is None:
            skipped += 1
        else:
            encoded.append(item)
    return encoded, skipped


def _order(count: int, seed: int, position: int) -> int:
    """Index of the example at global `position` (a fixed permutation per epoch)."""
    epoch, offset = divmod(position, count)
    permutation = list(range(count))
    random.Random(seed * 1_000_003 + epoch).shuffle(permutation)
    return permutation[offset]


def _learning_rate(settings: LoraSettings, step: int, total: int) -> float:
    """Linear warm-up, then cosine decay to a tenth."""
    warmup = max(1, int(total * settings.warmup_share))
    if step < warmup:
        return settings.learning_rate * (step + 1) / warmup
    progress = (step - warmup) / max(1, total - warmup)
    return settings.learning_rate * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress)))


def _reply_loss(model: Any, example: EncodedExample, device: str) -> Any:
    """Summed cross-entropy over the reply tokens only (logits for reply positions only)."""
    import torch

    ids = torch.tensor([example.input_ids], device=device)
    keep = example.reply_tokens + 1
    logits = model(input_ids=ids, logits_to_keep=keep).logits[0, :-1].float()
    targets = ids[0, -example.reply_tokens :]
    return torch.nn.functional.cross_entropy(logits, targets, reduction="sum")


def validation_loss(model: Any, examples: Sequence[EncodedExample], device: str) -> float | None:
    """Mean reply-token loss over `examples` (None when there are none)."""
    import torch

    if not examples:
        return None
    total = tokens = 0.0
    model.eval()
    with torch.no_grad():
        for example in examples:
            total += float(_reply_loss(model, example, device))
            tokens += example.reply_tokens
    model.train()
    return total / tokens


def _attach_lora(base: LoadedBase, settings: LoraSettings) -> Any:
    from peft import LoraConfig, get_peft_model

    config = LoraConfig(
        r=settings.rank,
        lora_alpha=settings.alpha,
        lora_dropout=settings.dropout,
        target_modules=list(settings.target_modules),
        bias="none",
        task_type="CAUSAL_LM",
    )
    model = get_peft_model(base.model, config)
    if settings.gradient_checkpointing:
        model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
        model.enable_input_require_grads()
    model.train()
    return model


def _checkpoints(run_dir: Path) -> list[Path]:
    folder = run_dir / CHECKPOINTS_DIR
    return sorted(folder.glob("step-*")) if folder.is_dir() else []


def _save_checkpoint(run_dir: Path, model: Any, optimizer: Any, record: RunRecord) -> None:
    import torch

    final = run_dir / CHECKPOINTS_DIR / f"step-{record.step:06d}"
    tmp = final.with_name(final.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    model.save_pretrained(str(tmp), save_embedding_layers=False)
    torch.save(optimizer.state_dict(), tmp / "optimizer.pt")
    shutil.rmtree(final, ignore_errors=True)
    tmp.replace(final)
    record.write(run_dir)
    for old in _checkpoints(run_dir)[:-KEEP_CHECKPOINTS]:
        shutil.rmtree(old, ignore_errors=True)


def _restore(run_dir: Path, model: Any, optimizer: Any) -> None:
    import torch
    from peft import set_peft_model_state_dict
    from safetensors.torch import load_file

    latest = _checkpoints(run_dir)[-1]
    set_peft_model_state_dict(model, load_file(str(latest / "adapter_model.safetensors")))
    optimizer.load_state_dict(torch.load(latest / "optimizer.pt", weights_only=True))


def _new_record(
    base_ref: BaseModelRef,
    data_dir: Path,
    settings: LoraSettings,
    train_count: int,
    skipped: int,
    device: str,
    threads: int,
) -> RunRecord:
    import torch

    steps = settings.max_steps or math.ceil(settings.epochs * train_count / settings.grad_accum)
    manifest = DatasetManifest.read(data_dir)
    return RunRecord(
        base=base_ref,
        data_dir=str(data_dir),
        data=manifest.to_record(),
        settings=settings,
        total_steps=max(1, steps),
        train_examples=train_count,
        skipped_too_long=skipped,
        device=device,
        threads=threads,
        torch_version=str(torch.__version__),
        machine=f"{platform.machine()} {platform.processor() or platform.system()}",
    )


def train_lora(
    data_dir: Path,
    base_ref: BaseModelRef,
    run_dir: Path,
    settings: LoraSettings,
    cancel: CancelToken,
) -> Generator[Progress, None, TrainResult]:
    """Train (or resume) a LoRA adapter; the result's `adapter_dir` holds it."""
    import torch

    settings.check()
    previous = RunRecord.read(run_dir) if (run_dir / RUN_FILE).exists() else None
    if previous is not None:
        if previous.base.sha256 != base_ref.sha256 or previous.settings != settings:
            raise ConfigError(
                f"{run_dir} holds a run with other settings or another base model; "
                "resume it with the same options, or choose a new --out folder."
            )
        if previous.finished and (run_dir / ADAPTER_DIR).is_dir():
            return TrainResult(run_dir, previous)
    resuming = previous is not None and bool(_checkpoints(run_dir))
    manifest = DatasetManifest.read(data_dir)
    if manifest.prompt_version != PROMPT_VERSION:
        raise ConfigError(
            f"{data_dir} was built for prompt {manifest.prompt_version}, but the app now uses "
            f"{PROMPT_VERSION}; rebuild it with `chatsum train data`."
        )
    run_dir.mkdir(parents=True, exist_ok=True)
    device = pick_device(settings.device)
    threads = settings.threads or torch.get_num_threads()
    torch.set_num_threads(threads)
    torch.manual_seed(settings.seed)
    yield Progress("load", f"loading {Path(base_ref.path).name} for training", 0, 1, "steps")
    base = load_base(Path(base_ref.path), device)
    train, skipped = _encode_all(base.tokenizer, data_dir / TRAIN_FILE, settings.max_tokens)
    if not train:
        raise ConfigError(
            f"{data_dir / TRAIN_FILE}: no training example fits {settings.max_tokens} tokens."
        )
    valid, _ = _encode_all(
        base.tokenizer, data_dir / VALID_FILE, settings.max_tokens, settings.valid_limit
    )
    model = _attach_lora(base, settings)
    trainable = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(trainable, lr=settings.learning_rate, weight_decay=0.0)
    if resuming:
        record = RunRecord.read(run_dir)
        _restore(run_dir, model, optimizer)
    else:
        record = _new_record(base_ref, data_dir, settings, len(train), skipped, device, threads)
        yield Progress("validate", "validation loss before training", 0, 1, "steps")
        record.valid_loss_before = validation_loss(model, valid, device)
        record.write(run_dir)
    clock = EtaClock()
    first_step = record.step
    while record.step < record.total_steps:
        group = [
            train[_order(len(train), settings.seed, record.position + i)]
            for i in range(settings.grad_accum)
        ]
        group_tokens = sum(e.reply_tokens for e in group)
        started = time.monotonic()
        loss_sum = 0.0
        for index, example in enumerate(group):
            if cancel.cancelled:
                optimizer.zero_grad(set_to_none=True)
                if record.step > first_step or not _checkpoints(run_dir):
                    _save_checkpoint(run_dir, model, optimizer, record)
                raise Cancelled(
                    f"Training stopped at step {record.step} of {record.total_steps}; "
                    "run the same command again to resume."
                )
            loss = _reply_loss(model, example, device)
            (loss / group_tokens).backward()
            loss_sum += float(loss.detach())
            yield Progress(
                "train",
                f"step {record.step + 1}/{record.total_steps} · example {index + 1}/{len(group)}",
                record.step,
                record.total_steps,
                "steps",
                clock.eta(record.step - first_step, record.total_steps - first_step),
            )
        for group_param in optimizer.param_groups:
            group_param["lr"] = _learning_rate(settings, record.step, record.total_steps)
        torch.nn.utils.clip_grad_norm_(trainable, 1.0)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        record.step += 1
        record.position += len(group)
        record.tokens_seen += sum(len(e.input_ids) for e in group)
        record.train_seconds += time.monotonic() - started
        step_loss = loss_sum / group_tokens
        record.losses.append((record.step, round(step_loss, 5)))
        rate = record.tokens_per_second or 0.0
        yield Progress(
            "train",
            f"step {record.step}/{record.total_steps} · loss {step_loss:.3f} · {rate:.0f} tok/s",
            record.step,
            record.total_steps,
            "steps",
            clock.eta(record.step - first_step, record.total_steps - first_step),
        )
        if record.step % settings.checkpoint_every == 0 and record.step < record.total_steps:
            _save_checkpoint(run_dir, model, optimizer, record)
    yield Progress("validate", "validation loss after training", 0, 1, "steps")
    record.valid_loss_after = validation_loss(model, valid, device)
    record.finished = True
    tmp = run_dir / (ADAPTER_DIR + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    model.save_pretrained(str(tmp), save_embedding_layers=False)
    shutil.rmtree(run_dir / ADAPTER_DIR, ignore_errors=True)
    tmp.replace(run_dir / ADAPTER_DIR)
    record.write(run_dir)
    return TrainResult(run_dir, record)
