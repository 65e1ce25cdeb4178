"""Loading the base model for training from the same GGUF the app runs.

There is no model hub here, and the base a user has is the quantized GGUF in
the models folder, so training starts from that file: transformers reads it
with `gguf_file=...` and, told to dequantize (`GgufConfig(dequantize=True)`),
unpacks every weight into a plain dense model in bf16. The adapter then
learns on top of the dequantized weights, which are what llama.cpp computes
with (up to rounding), so an adapter trained here fits the quantized base it
is later applied to. The tokenizer and the chat template come from the same
file, so training text is tokenized as llama.cpp will tokenize it.

torch, transformers and peft are the optional `chatsum[train]` extra: they are
imported inside functions, and a missing one is a `ConfigError` that says
what to install.
"""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chatsum.core.errors import ConfigError, ModelError


def require_training_packages() -> None:
    """ConfigError naming what is missing when the `train` extra is not installed."""
    import importlib.util

    missing = [
        name for name in ("torch", "transformers", "peft") if importlib.util.find_spec(name) is None
    ]
    if missing:
        raise ConfigError(
            f"Training needs {', '.join(missing)}: install them with "
            "`pip install 'chatsum[train]'` (keep the torch you have: CPU or CUDA)."
        )


def pick_device(requested: str) -> str:
    """'cuda' when asked for or available under 'auto', else 'cpu'."""
    import torch

    if requested == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if requested == "cuda" and not torch.cuda.is_available():
        raise ConfigError("--device cuda was asked for, but this torch build sees no CUDA GPU.")
    if requested not in ("cpu", "cuda"):
        raise ConfigError(f"Unknown device {requested!r}; use auto, cpu or cuda.")
    return requested


@dataclass
class LoadedBase:
    model: Any
    tokenizer: Any
    device: str


def load_base(gguf_path: Path, device: str) -> LoadedBase:
    """The dequantized bf16 model and its tokenizer, read from one GGUF file."""
    require_training_packages()
    import torch
    import transformers
    from transformers import AutoModelForCausalLM, AutoTokenizer, GgufConfig

    transformers.logging.set_verbosity_error()  # type: ignore[no-untyped-call]
    folder, name = str(gguf_path.parent), gguf_path.name
    try:
        tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=name)
        # The GGUF reader draws its own tqdm bar on stderr; our caller shows progress.
        with contextlib.redirect_stderr(io.StringIO()):
            model: Any = AutoModelForCausalLM.from_pretrained(
                folder,
                gguf_file=name,
                dtype=torch.bfloat16,
                quantization_config=GgufConfig(dequantize=True),
            )
    except (ValueError, KeyError, OSError, NotImplementedError) as exc:
        raise ModelError(
            f"{gguf_path}: transformers could not load this GGUF for training ({exc}). "
            "Training supports the architectures transformers reads from GGUF (llama, qwen2, ...)."
        ) from exc
    if not tokenizer.chat_template:
        raise ModelError(f"{gguf_path}: no chat template in the file; train a chat model.")
    model.to(device)
    return LoadedBase(model, tokenizer, device)
