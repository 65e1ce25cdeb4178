"""The model card of a fine-tuned variant: built from the run, rendered as Markdown.

One dict (`build_card`) is the source of truth: it is stored next to the
adapter (`registration.py`) and rendered here into the Markdown card that
ships with a published adapter (models/cards/README.md shows the layout).
Metrics come from `chatsum eval summarize --json` reports run before and
after, so the card shows the same figures bench/README.md records.
"""

from __future__ import annotations

from typing import Any

from chatsum.core.pipelines.training.export import ExportedAdapter
from chatsum.core.pipelines.training.lora import RunRecord

METRICS = (
    ("schema_valid_rate", "schema-valid"),
    ("citation_validity_raw", "citation validity (raw)"),
    ("citation_validity_checked", "citation validity (checked)"),
    ("attribution_accuracy", "attribution accuracy"),
    ("rougeL", "ROUGE-L"),
    ("rouge1", "ROUGE-1"),
    ("verbatim_share", "copied verbatim"),
    ("seconds_per_1000_messages", "seconds / 1,000 messages"),
)


def build_card(
    model_id: str,
    record: RunRecord,
    exported: ExportedAdapter,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> dict[str, Any]:
    data = record.data
    return {
        "id": model_id,
        "base": record.base.id,
        "base_sha256": record.base.sha256,
        "adapter_file": exported.path.name,
        "adapter_sha256": exported.sha256,
        "adapter_size": exported.size,
        "prompt_version": data.get("prompt_version"),
        "data": {
            "train": data.get("train"),
            "valid": data.get("valid"),
            "by_source": data.get("by_source"),
            "by_language": data.get("by_language"),
            "licences": data.get("licences"),
            "eval_sets_excluded": [e["path"] for e in data.get("eval_sets", [])],
        },
        "training": {
            "rank": record.settings.rank,
            "alpha": record.settings.alpha,
            "dropout": record.settings.dropout,
            "learning_rate": record.settings.learning_rate,
            "steps": record.step,
            "grad_accum": record.settings.grad_accum,
            "max_tokens": record.settings.max_tokens,
            "target_modules": list(record.settings.target_modules),
            "device": record.device,
            "threads": record.threads,
            "machine": record.machine,
            "torch": record.torch_version,
            "train_seconds": round(record.train_seconds, 1),
            "tokens_seen": record.tokens_seen,
            "tokens_per_second": round(record.tokens_per_second or 0.0, 1),
            "valid_loss_before": record.valid_loss_before,
            "valid_loss_after": record.valid_loss_after,
        },
        "metrics": {"before": before, "after": after},
    }


def _figure(value: Any) -> str:
    if value is None:
        return "—"
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def render_card(card: dict[str, Any]) -> str:
    training, data = card["training"], card["data"]
    lines = [
        f"# {card['id']}",
        "",
        f"A LoRA adapter for `{card['base']}` (sha256 `{card['base_sha256']}`), trained by "
        f"`chatsum train` for the summarizer prompt `{card['prompt_version']}`.",
        "",
        f"- adapter: `{card['adapter_file']}`, {card['adapter_size']:,} bytes, sha256 `{card['adapter_sha256']}`",
        f"- load: `chatsum models add {card['adapter_file']} --base {card['base']}` (llama.cpp `lora_path`)",
        "",
        "## Data",
        "",
        f"- {data['train']} training and {data['valid']} validation examples",
        f"- by source: {data['by_source']}; by language: {data['by_language']}",
        f"- licences: {data['licences']}",
        f"- eval sets excluded (exact and near duplicates): {data['eval_sets_excluded'] or 'none'}",
        "",
        "## Training",
        "",
        f"- LoRA rank {training['rank']}, alpha {training['alpha']}, dropout {training['dropout']}, "
        f"on {', '.join(training['target_modules'])}",
        f"- {training['steps']} steps × {training['grad_accum']} examples, learning rate "
        f"{training['learning_rate']}, sequences up to {training['max_tokens']} tokens",
        f"- {training['device']} ({training['machine']}, {training['threads']} threads, torch "
        f"{training['torch']}): {training['train_seconds']} s, {training['tokens_per_second']} tokens/s",
        f"- validation loss {_figure(training['valid_loss_before'])} → {_figure(training['valid_loss_after'])}",
        "",
        "## Metrics (`chatsum eval summarize`)",
        "",
        "| metric | base | fine-tuned |",
        "|---|---|---|",
    ]
    before = card["metrics"].get("before") or {}
    after = card["metrics"].get("after") or {}
    for key, label in METRICS:
        lines.append(f"| {label} | {_figure(before.get(key))} | {_figure(after.get(key))} |")
    return "\n".join(lines) + "\n"
