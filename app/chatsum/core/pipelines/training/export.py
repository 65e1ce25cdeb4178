"""Writing a trained LoRA adapter as a GGUF adapter llama.cpp applies to the quantized base.

What llama.cpp expects of an adapter file (its `llama_adapter_lora_init`):
- metadata `general.type = "adapter"`, `adapter.type = "lora"`,
  `adapter.lora.alpha` (float), and `general.architecture` equal to the base's;
- for every adapted weight `W` of the base (GGUF name such as
  `blk.3.attn_q.weight`), two tensors `<name>.lora_a` and `<name>.lora_b`
  whose ggml shapes are A: [n_in, r] and B: [r, n_out] for W: [n_in, n_out].
  ggml lists dimensions innermost first, so these are peft's own matrices
  (lora_A: r × n_in, lora_B: n_out × r) written as they are;
- the delta applied is `scale * alpha / r * B·A`, peft's `alpha / r` scaling.
Two layout details differ from the Hugging Face names peft trained on:
- names: mapped with the `gguf` package's tensor-name map for the
  architecture (the same table llama.cpp's converters use);
- llama-architecture Q and K: llama.cpp's converter reorders the rows of
  these weights for its rotary layout (transformers undoes it when loading
  the GGUF), so the rows of lora_B for q_proj and k_proj get the same
  reordering, or the adapter would push the wrong output dimensions.
Every target is checked against the base GGUF's tensor shapes before
anything is written, so a wrong base fails here with a clear message instead
of inside llama.cpp. Tensors are stored as f16 (half the size of f32, and
well within LoRA's precision needs).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from chatsum.core.errors import ModelError
from chatsum.core.llm.files import sha256_file
from chatsum.core.progress import drive

ROPE_ROWS_PERMUTED = frozenset({"llama"})
SUPPORTED_ARCHITECTURES = frozenset({"llama", "qwen2"})
_PEFT_KEY = re.compile(
    r"^(?:base_model\.model\.)?(?P<module>.+)\.lora_(?P<part>[AB])(?:\.default)?\.weight$"
)


@dataclass(frozen=True)
class ExportedAdapter:
    path: Path
    sha256: str
    size: int
    tensors: int
    architecture: str
    rank: int
    alpha: float


@dataclass(frozen=True)
class BaseLayout:
    architecture: str
    block_count: int
    head_count: int
    head_count_kv: int
    shapes: dict[str, tuple[int, ...]]  # GGUF tensor name -> ggml shape (innermost first)


def read_base_layout(base_gguf: Path) -> BaseLayout:
    from gguf import GGUFReader

    reader = GGUFReader(base_gguf, "r")

    def value(key: str) -> Any:
        field = reader.fields.get(key)
        return field.contents() if field is not None else None

    architecture = str(value("general.architecture"))
    head_count = int(value(f"{architecture}.attention.head_count") or 0)
    return BaseLayout(
        architecture=architecture,
        block_count=int(value(f"{architecture}.block_count") or 0),
        head_count=head_count,
        head_count_kv=int(value(f"{architecture}.attention.head_count_kv") or head_count),
        shapes={t.name: tuple(int(d) for d in t.shape) for t in reader.tensors},
    )


def rope_row_order(rows: np.ndarray, heads: int) -> np.ndarray:
    """Reorder output rows from the Hugging Face rotary layout to llama.cpp's, per head."""
    half = rows.shape[0] // heads // 2
    return rows.reshape(heads, 2, half, *rows.shape[1:]).swapaxes(1, 2).reshape(rows.shape)


def _load_peft(adapter_dir: Path) -> tuple[dict[str, Any], dict[str, dict[str, np.ndarray]]]:
    """adapter_config.json and {module: {"A": ..., "B": ...}} as float32 arrays."""
    from safetensors.torch import load_file

    config_path = adapter_dir / "adapter_config.json"
    weights_path = adapter_dir / "adapter_model.safetensors"
    if not config_path.is_file() or not weights_path.is_file():
        raise ModelError(
            f"{adapter_dir}: no peft adapter here (adapter_config.json and safetensors)."
        )
    config = json.loads(config_path.read_text(encoding="utf-8"))
    modules: dict[str, dict[str, np.ndarray]] = {}
    for key, tensor in load_file(str(weights_path)).items():
        match = _PEFT_KEY.match(key)
        if match is None:
            raise ModelError(
                f"{weights_path}: unexpected tensor {key!r} (only LoRA A/B are exported)."
            )
        modules.setdefault(match["module"], {})[match["part"]] = tensor.float().numpy()
    return config, modules


def export_gguf_adapter(
    adapter_dir: Path,
    base_gguf: Path,
    out_path: Path,
    name: str,
    metadata: dict[str, str] | None = None,
) -> ExportedAdapter:
    """Write `out_path` (a GGUF LoRA adapter for `base_gguf`) from a peft adapter folder."""
    import gguf

    config, modules = _load_peft(adapter_dir)
    layout = read_base_layout(base_gguf)
    if layout.architecture not in SUPPORTED_ARCHITECTURES:
        raise ModelError(
            f"{base_gguf}: exporting adapters for {layout.architecture!r} models is not supported "
            f"(supported: {', '.join(sorted(SUPPORTED_ARCHITECTURES))})."
        )
    rank = int(config["r"])
    alpha = float(config["lora_alpha"])
    if config.get("use_rslora"):
        alpha *= math.sqrt(rank)  # rsLoRA scales by alpha/sqrt(r); llama.cpp by alpha/r
    arch = next(k for k, v in gguf.MODEL_ARCH_NAMES.items() if v == layout.architecture)
    names = gguf.get_tensor_name_map(arch, layout.block_count)
    tensors: list[tuple[str, np.ndarray]] = []
    for module, parts in sorted(modules.items()):
        gguf_name = names.get_name(module)
        if gguf_name is None or "A" not in parts or "B" not in parts:
            raise ModelError(
                f"{adapter_dir}: cannot map LoRA module {module!r} to a llama.cpp tensor."
            )
        weight = f"{gguf_name}.weight"
        a, b = parts["A"], parts["B"]
        shape = layout.shapes.get(weight)
        if shape is None or shape[0] != a.shape[1] or shape[1] != b.shape[0]:
            raise ModelError(
                f"{base_gguf}: adapter tensor {weight} ({a.shape[1]}→{b.shape[0]}) does not match "
                f"the base ({shape}); this adapter was trained on another base model."
            )
        if layout.architecture in ROPE_ROWS_PERMUTED and gguf_name.endswith((".attn_q", ".attn_k")):
            heads = layout.head_count if gguf_name.endswith(".attn_q") else layout.head_count_kv
            b = rope_row_order(b, heads)
        tensors.append((f"{weight}.lora_a", a.astype(np.float16)))
        tensors.append((f"{weight}.lora_b", b.astype(np.float16)))
    if not tensors:
        raise ModelError(f"{adapter_dir}: the adapter has no LoRA tensors.")
    out_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_path.with_name(out_path.name + ".partial")
    writer = gguf.GGUFWriter(str(tmp), layout.architecture)
    writer.add_type(gguf.GGUFType.ADAPTER)
    writer.add_string(gguf.Keys.Adapter.TYPE, "lora")
    writer.add_float32(gguf.Keys.Adapter.LORA_ALPHA, alpha)
    writer.add_name(name)
    for key, text in (metadata or {}).items():
        writer.add_string(key, text)
    for tensor_name, data in tensors:
        writer.add_tensor(tensor_name, data)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    tmp.replace(out_path)
    return ExportedAdapter(
        path=out_path,
        sha256=drive(sha256_file(out_path)),
        size=out_path.stat().st_size,
        tensors=len(tensors),
        architecture=layout.architecture,
        rank=rank,
        alpha=alpha,
    )
