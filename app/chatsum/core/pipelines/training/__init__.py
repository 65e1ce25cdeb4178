"""Fine-tuning the summarizer: training data, LoRA training, GGUF adapter export.

data:   synthetic (scenarios → synthetic), dataset and archive sources
        (sources) → framed as the app's own summary call and checked
        (framing, targets) → deduplicated, kept apart from eval sets, split
        (overlap, dataset) → JSONL of `SftExample`s (examples)
train:  base model dequantized from its GGUF (base_model) → tokenized like
        llama.cpp (encoding) → LoRA loop with checkpoints (lora)
ship:   GGUF LoRA adapter for llama.cpp (export) → installed as a model
        variant with its card (registration, card)

torch/transformers/peft (the `chatsum[train]` extra) are imported only by
`train` and `ship` modules, inside functions.
"""
