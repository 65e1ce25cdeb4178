"""Pieces of the engine that need no model: stop strings, memory estimates, settings."""

from __future__ import annotations

import pytest

from chatsum.config import Settings
from chatsum.core.errors import ModelError
from chatsum.core.llm.engine import EngineConfig, _StopFilter
from chatsum.core.llm.files import GgufInfo
from chatsum.core.llm.hardware import MemoryEstimate, check_fits_in_memory, physical_cores


def feed_all(stops: tuple[str, ...], pieces: list[str]) -> tuple[str, bool]:
    stop_filter = _StopFilter(stops)
    out = []
    for piece in pieces:
        text, hit = stop_filter.feed(piece)
        out.append(text)
        if hit:
            return "".join(out), True
    out.append(stop_filter.flush(""))
    return "".join(out), False


@pytest.mark.parametrize(
    ("pieces", "expected"),
    [
        (["Hello", " wor", "ld ##", "#END tail"], ("Hello world ", True)),
        (["a#", "#", "b"], ("a##b", False)),  # a partial stop string is released when it fails
        (["no stop here"], ("no stop here", False)),
        (["x###", "END"], ("x", True)),
    ],
)
def test_stop_strings_cut_across_piece_boundaries(
    pieces: list[str], expected: tuple[str, bool]
) -> None:
    assert feed_all(("###END",), pieces) == expected


def test_without_stop_strings_text_passes_straight_through() -> None:
    assert _StopFilter(()).feed("###END") == ("###END", False)


def test_kv_cache_estimate_follows_the_model_shape() -> None:
    qwen_1_5b = GgufInfo(
        "model",
        "qwen2",
        "q",
        32768,
        "t",
        block_count=28,
        embedding_length=1536,
        head_count=12,
        head_count_kv=2,
    )
    # 2 (K and V) x 28 layers x 8192 tokens x 2 KV heads x 128 dims x 2 bytes
    assert qwen_1_5b.kv_cache_bytes(8192) == 2 * 28 * 8192 * 2 * 128 * 2
    unknown = GgufInfo("model", "x", "x", None, None, None, None, None, None)
    assert unknown.kv_cache_bytes(8192) is None


def test_memory_check_refuses_with_the_estimate() -> None:
    estimate = MemoryEstimate(weights_bytes=3 * 1024**3, kv_cache_bytes=1024**3, workspace_bytes=0)
    check_fits_in_memory("Big", estimate, 8192, available_bytes=5 * 1024**3)
    with pytest.raises(ModelError) as info:
        check_fits_in_memory("Big", estimate, 8192, available_bytes=2 * 1024**3)
    assert (
        "Big needs about 4.0 GB (3.0 GB weights + 1.0 GB context cache" in info.value.user_message
    )
    assert "only 2.0 GB of memory is free" in info.value.user_message


def test_engine_config_comes_from_settings() -> None:
    settings = Settings().replace(n_ctx=2048, n_gpu_layers=0, n_threads=3, n_batch=256)
    assert EngineConfig.from_settings(settings) == EngineConfig(
        n_ctx=2048, n_gpu_layers=0, n_threads=3, n_batch=256
    )
    assert physical_cores() >= 1
