"""What this machine and this llama.cpp build can do: threads, GPU, memory.

Kept apart from the engine so the decisions (how many threads, whether to
offload, whether a model fits) are plain functions a test can check and the
GUI can show before anything is loaded. A model that would not fit in memory
is refused here, with the estimate, instead of letting the OS kill the app.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from chatsum.core.errors import ModelError

_WORKSPACE_BYTES = 320 * 1024 * 1024
"""Compute buffers, logits and the runtime itself, measured at ≈250–300 MB for 1.5B at n_batch 512."""


def physical_cores() -> int:
    """Physical cores this process may use (llama.cpp gains nothing from SMT siblings)."""
    import psutil

    physical = psutil.cpu_count(logical=False) or os.cpu_count() or 1
    return max(1, min(physical, usable_cpus()))


def usable_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def gpu_offload_supported() -> bool:
    """Whether this llama.cpp build was compiled with a GPU backend (CUDA, Metal, Vulkan...)."""
    import llama_cpp

    return bool(llama_cpp.llama_supports_gpu_offload())


def available_memory_bytes() -> int:
    import psutil

    return int(psutil.virtual_memory().available)


@dataclass(frozen=True)
class MemoryEstimate:
    weights_bytes: int
    kv_cache_bytes: int
    workspace_bytes: int = _WORKSPACE_BYTES

    @property
    def total_bytes(self) -> int:
        return self.weights_bytes + self.kv_cache_bytes + self.workspace_bytes

    def describe(self) -> str:
        return (
            f"about {_gb(self.total_bytes)} ({_gb(self.weights_bytes)} weights + "
            f"{_gb(self.kv_cache_bytes)} context cache + {_gb(self.workspace_bytes)} work space)"
        )


def check_fits_in_memory(
    model_name: str, estimate: MemoryEstimate, n_ctx: int, available_bytes: int | None = None
) -> None:
    """Raise ModelError, with the estimate, when the model cannot fit in free RAM."""
    available = available_memory_bytes() if available_bytes is None else available_bytes
    if estimate.total_bytes <= available:
        return
    raise ModelError(
        f"{model_name} needs {estimate.describe()} with a {n_ctx}-token context, "
        f"but only {_gb(available)} of memory is free. Close other programs, lower the "
        "context size (n_ctx), or choose a smaller model (chatsum models list)."
    )


def _gb(n: int) -> str:
    return f"{n / 1024**3:.1f} GB"
