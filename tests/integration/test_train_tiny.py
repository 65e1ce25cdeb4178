"""Fine-tuning for real, tiny: SmolLM2-135M read from its GGUF, a few LoRA steps
with transformers + peft (cancelled once and resumed), the GGUF adapter export
loaded by llama.cpp on the quantized base, and the registered variant.

One short example is learned hard (high learning rate), so a few steps are
enough to change what the model says; what is checked is what the pipeline
guarantees: training text tokenized exactly as llama.cpp tokenizes the prompt,
the loss going down, resume from a checkpoint, and an adapter that llama.cpp
accepts and that changes its greedy output towards the trained reply.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from chatsum.core.errors import Cancelled
from chatsum.core.llm.base import ChatMessage, GenerationOptions
from chatsum.core.llm.catalog import load_catalog
from chatsum.core.llm.engine import EngineConfig, LlamaCppEngine
from chatsum.core.llm.installing import assemble
from chatsum.core.llm.store import ModelStore
from chatsum.core.pipelines.summarizing.prompts import PROMPT_VERSION
from chatsum.core.pipelines.training.dataset import (
    MANIFEST_FILE,
    TRAIN_FILE,
    VALID_FILE,
    DatasetManifest,
)
from chatsum.core.pipelines.training.examples import SftExample, write_examples
from chatsum.core.pipelines.training.export import export_gguf_adapter
from chatsum.core.pipelines.training.lora import (
    ADAPTER_DIR,
    CHECKPOINTS_DIR,
    BaseModelRef,
    LoraSettings,
    TrainResult,
    train_lora,
)
from chatsum.core.pipelines.training.registration import read_card, register_adapter
from chatsum.core.progress import CancelToken, Progress, drive
from tests.core.llm.helpers import SMOLLM2_ID

pytest.importorskip("peft", reason="the chatsum[train] extra is not installed")
pytestmark = pytest.mark.slow

TARGET = '{"topics":[{"headline":"Zebra picnic on Friday"}]}'
EXAMPLE = SftExample(
    id="test:1",
    source="synthetic",
    licence="test",
    language="en",
    prompt_version=PROMPT_VERSION,
    dialogue_hash="0" * 64,
    messages=(
        ChatMessage("system", "You summarize group chats as JSON."),
        ChatMessage("user", "Chat:\n[1] Ann: picnic on Friday?\n[2] Bob: yes, I bring cake"),
    ),
    target=TARGET,
)
SETTINGS = LoraSettings(
    rank=8,
    alpha=16,
    dropout=0.0,
    learning_rate=4e-3,
    max_steps=4,
    grad_accum=1,
    warmup_share=0.0,
    checkpoint_every=1,
    valid_limit=1,
    gradient_checkpointing=False,
    threads=2,
)


@dataclass
class Trained:
    models: ModelStore
    base: BaseModelRef
    result: TrainResult
    events: list[Progress]
    first_resumed_step: int


def _dataset(folder: Path) -> Path:
    write_examples(folder / TRAIN_FILE, [EXAMPLE])
    write_examples(folder / VALID_FILE, [EXAMPLE])
    manifest = DatasetManifest(PROMPT_VERSION, 1, 1, {"synthetic": 1}, {"en": 1}, {"test": 1}, {})
    (folder / MANIFEST_FILE).write_text(json.dumps(manifest.to_record()))
    return folder


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Trained:
    models = ModelStore(tmp_path_factory.mktemp("models"), load_catalog())
    drive(assemble(models, SMOLLM2_ID))
    plan = models.prepare_load(SMOLLM2_ID)
    installed = models.get(SMOLLM2_ID)
    assert installed is not None and installed.weights is not None
    base = BaseModelRef(
        SMOLLM2_ID, str(plan.path), installed.weights.sha256, plan.info.architecture
    )
    data = _dataset(tmp_path_factory.mktemp("data"))
    run = tmp_path_factory.mktemp("run")

    cancel = CancelToken()
    first = train_lora(data, base, run, SETTINGS, cancel)
    with pytest.raises(Cancelled):
        for event in first:
            if event.stage == "train" and event.done == 2:
                cancel.cancel()  # stops before the third step's first example
    assert (run / CHECKPOINTS_DIR / "step-000002").is_dir()
    assert not (run / ADAPTER_DIR).exists()

    events: list[Progress] = []
    second = train_lora(data, base, run, SETTINGS, CancelToken())
    while True:
        try:
            events.append(next(second))
        except StopIteration as stop:
            result = stop.value
            break
    first_step = next(e.done for e in events if e.stage == "train")
    return Trained(models, base, result, events, first_step)


def test_training_resumes_and_lowers_the_loss(trained: Trained) -> None:
    record = trained.result.record
    assert trained.first_resumed_step == 2, "the second run starts from the step-2 checkpoint"
    assert record.finished and record.step == 4
    assert [step for step, _ in record.losses] == [1, 2, 3, 4]
    assert record.valid_loss_before is not None and record.valid_loss_after is not None
    assert record.valid_loss_after < 0.5 * record.valid_loss_before
    assert record.tokens_per_second and record.tokens_per_second > 0
    messages = [e.message for e in trained.events if e.stage == "train"]
    assert any("loss" in m and "tok/s" in m for m in messages)
    assert (trained.result.adapter_dir / "adapter_model.safetensors").is_file()


def test_training_text_is_tokenized_exactly_as_llama_cpp_tokenizes_the_prompt(
    trained: Trained,
) -> None:
    from transformers import AutoTokenizer

    from chatsum.core.pipelines.training.encoding import encode

    path = Path(trained.base.path)
    tokenizer = AutoTokenizer.from_pretrained(str(path.parent), gguf_file=path.name)
    encoded = encode(tokenizer, EXAMPLE, 4096)
    assert encoded is not None
    engine = LlamaCppEngine(trained.models, SMOLLM2_ID, EngineConfig(n_ctx=512, n_gpu_layers=0))
    try:
        llama_prompt = engine.tokenize_chat(list(EXAMPLE.messages))
    finally:
        engine.close()
    assert list(encoded.input_ids[: encoded.prompt_tokens]) == llama_prompt


def _greedy(models: ModelStore, model_id: str) -> str:
    engine = LlamaCppEngine(models, model_id, EngineConfig(n_ctx=512, n_gpu_layers=0))
    try:
        options = GenerationOptions(max_tokens=14, temperature=0.0, repeat_penalty=1.0)
        return drive(engine.stream_chat(list(EXAMPLE.messages), options)).text
    finally:
        engine.close()


def test_exported_adapter_loads_in_llama_cpp_and_changes_generation(
    trained: Trained, tmp_path: Path
) -> None:
    exported = export_gguf_adapter(
        trained.result.adapter_dir, Path(trained.base.path), tmp_path / "tiny-lora.gguf", "tiny"
    )
    assert exported.architecture == "llama" and exported.rank == 8
    assert exported.tensors == 2 * 7 * 30  # A and B for 7 projections in 30 layers
    card = {"note": "test"}
    model = drive(
        register_adapter(trained.models, exported.path, SMOLLM2_ID, "smollm2-tiny-lora", card)
    )
    assert model.base == SMOLLM2_ID and model.adapter is not None
    assert model.adapter.sha256 == exported.sha256
    stored_card = read_card(trained.models, "smollm2-tiny-lora")
    assert stored_card is not None and stored_card["adapter_sha256"] == exported.sha256

    before = _greedy(trained.models, SMOLLM2_ID)
    after = _greedy(trained.models, "smollm2-tiny-lora")
    assert after != before
    assert "Zebra" in after, (before, after)
