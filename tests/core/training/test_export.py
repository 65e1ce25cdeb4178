"""GGUF adapter export against small base GGUFs we write: names, shapes, metadata, and
llama's rotary row order (checked against the inverse transformers applies on load)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from chatsum.core.errors import ModelError
from chatsum.core.pipelines.training.export import export_gguf_adapter, rope_row_order

gguf = pytest.importorskip("gguf")
pytest.importorskip("safetensors")
pytest.importorskip("torch")

HIDDEN, KV, FFN, HEADS, KV_HEADS, RANK = 8, 4, 12, 2, 1, 2


def write_base(path: Path, arch: str, hidden: int = HIDDEN) -> Path:
    writer = gguf.GGUFWriter(str(path), arch)
    writer.add_block_count(1)
    writer.add_head_count(HEADS)
    writer.add_head_count_kv(KV_HEADS)
    shapes = {  # numpy (out, in): ggml ne = [in, out]
        "blk.0.attn_q.weight": (hidden, hidden),
        "blk.0.attn_k.weight": (KV, hidden),
        "blk.0.ffn_down.weight": (hidden, FFN),
    }
    for name, shape in shapes.items():
        writer.add_tensor(name, np.zeros(shape, dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


def write_peft(folder: Path) -> dict[str, np.ndarray]:
    from safetensors.numpy import save_file

    rng = np.random.default_rng(0)
    dims = {
        "self_attn.q_proj": (HIDDEN, HIDDEN),
        "self_attn.k_proj": (HIDDEN, KV),
        "mlp.down_proj": (FFN, HIDDEN),
    }
    tensors = {}
    for module, (n_in, n_out) in dims.items():
        prefix = f"base_model.model.model.layers.0.{module}"
        tensors[f"{prefix}.lora_A.weight"] = rng.standard_normal((RANK, n_in)).astype(np.float32)
        tensors[f"{prefix}.lora_B.weight"] = rng.standard_normal((n_out, RANK)).astype(np.float32)
    folder.mkdir()
    save_file(tensors, str(folder / "adapter_model.safetensors"))
    (folder / "adapter_config.json").write_text(json.dumps({"r": RANK, "lora_alpha": 4}))
    return tensors


def read_adapter(path: Path) -> tuple[dict[str, object], dict[str, np.ndarray]]:
    reader = gguf.GGUFReader(path, "r")
    fields = {name: field.contents() for name, field in reader.fields.items()}
    tensors = {t.name: np.array(t.data) for t in reader.tensors}
    return fields, tensors


def test_qwen2_adapter_has_llama_cpp_names_shapes_and_metadata(tmp_path: Path) -> None:
    base = write_base(tmp_path / "base.gguf", "qwen2")
    peft = write_peft(tmp_path / "adapter")
    exported = export_gguf_adapter(
        tmp_path / "adapter", base, tmp_path / "out.gguf", "my-lora", {"chatsum.base_model": "b"}
    )
    assert (exported.rank, exported.alpha, exported.tensors) == (RANK, 4.0, 6)
    fields, tensors = read_adapter(exported.path)
    assert fields["general.type"] == "adapter"
    assert fields["general.architecture"] == "qwen2"
    assert fields["adapter.type"] == "lora"
    assert fields["adapter.lora.alpha"] == pytest.approx(4.0)
    assert fields["chatsum.base_model"] == "b"
    assert sorted(tensors) == sorted(
        f"blk.0.{name}.weight.lora_{part}"
        for name in ("attn_q", "attn_k", "ffn_down")
        for part in ("a", "b")
    )
    a = peft["base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight"]
    b = peft["base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight"]
    np.testing.assert_allclose(tensors["blk.0.attn_q.weight.lora_a"], a, atol=1e-2)
    np.testing.assert_allclose(tensors["blk.0.attn_q.weight.lora_b"], b, atol=1e-2)
    assert tensors["blk.0.ffn_down.weight.lora_a"].shape == (RANK, FFN)
    assert exported.size == exported.path.stat().st_size


def transformers_reverse(rows: np.ndarray, heads: int) -> np.ndarray:
    """What transformers does to llama Q/K rows when it reads a GGUF."""
    dim = rows.shape[0] // heads // 2
    return rows.reshape(heads, dim, 2, *rows.shape[1:]).swapaxes(2, 1).reshape(rows.shape)


def test_llama_q_and_k_rows_follow_llama_cpp_rotary_layout(tmp_path: Path) -> None:
    base = write_base(tmp_path / "base.gguf", "llama")
    peft = write_peft(tmp_path / "adapter")
    exported = export_gguf_adapter(tmp_path / "adapter", base, tmp_path / "out.gguf", "x")
    _, tensors = read_adapter(exported.path)
    q_b = peft["base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight"]
    k_b = peft["base_model.model.model.layers.0.self_attn.k_proj.lora_B.weight"]
    written_q = tensors["blk.0.attn_q.weight.lora_b"].astype(np.float32)
    written_k = tensors["blk.0.attn_k.weight.lora_b"].astype(np.float32)
    assert not np.allclose(written_q, q_b, atol=1e-2), "llama Q rows are reordered"
    np.testing.assert_allclose(transformers_reverse(written_q, HEADS), q_b, atol=1e-2)
    np.testing.assert_allclose(transformers_reverse(written_k, KV_HEADS), k_b, atol=1e-2)
    down_b = peft["base_model.model.model.layers.0.mlp.down_proj.lora_B.weight"]
    np.testing.assert_allclose(tensors["blk.0.ffn_down.weight.lora_b"], down_b, atol=1e-2)
    x = np.arange(16.0).reshape(8, 2)
    np.testing.assert_array_equal(transformers_reverse(rope_row_order(x, 2), 2), x)


def test_an_adapter_for_another_base_is_refused_before_writing(tmp_path: Path) -> None:
    base = write_base(tmp_path / "base.gguf", "qwen2", hidden=16)
    write_peft(tmp_path / "adapter")
    out = tmp_path / "out.gguf"
    with pytest.raises(ModelError, match="another base model"):
        export_gguf_adapter(tmp_path / "adapter", base, out, "x")
    assert not out.exists() and not list(tmp_path.glob("*.partial"))


def test_missing_adapter_folder_is_a_clear_error(tmp_path: Path) -> None:
    base = write_base(tmp_path / "base.gguf", "qwen2")
    with pytest.raises(ModelError, match="no peft adapter"):
        export_gguf_adapter(tmp_path / "nothing", base, tmp_path / "out.gguf", "x")
