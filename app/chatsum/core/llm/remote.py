"""OpenAICompatibleGenerator: a `TextGenerator` served by another machine.

For users who outgrow one machine: any server speaking the OpenAI chat API
(llama.cpp's server, llama-cpp-python's server, vLLM) can replace the local
engine by setting `remote_llm_url`. Only the standard library is used
(urllib + server-sent events), so the desktop bundle gains no HTTP stack.

What differs between servers is handled by asking, once, and remembering:
- JSON-schema output: the OpenAI form (`response_format.type = json_schema`)
  first; servers that reject it (llama-cpp-python) get `json_object` with a
  `schema`. The result is validated by `structured.generate_json` either way.
- Token counts: llama-cpp-python's `/extras/tokenize/count`, llama.cpp's and
  vLLM's `/tokenize`; a server with none gets a conservative estimate (UTF-8
  bytes / 3, never fewer than the words), flagged by `exact_token_counts`.
- Context length: vLLM's `max_model_len` from `/v1/models` when offered,
  otherwise the configured `n_ctx`.
A `RepeatGuard` is not sent: the chat API has no standard field for it, so a
remote model's summaries copy the chat as much as that model likes.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Generator, Iterator
from typing import Any

from chatsum.core.errors import Cancelled, ContextOverflowError, ModelError
from chatsum.core.llm.base import ChatMessage, Completion, GenerationOptions, Usage
from chatsum.core.progress import CancelToken

_CHAT_OVERHEAD_TOKENS = 8  # role markers and separators a chat template adds per message


class OpenAICompatibleGenerator:
    def __init__(
        self,
        base_url: str,
        model: str = "",
        api_key: str = "",
        context_length: int = 8192,
        timeout_s: float = 600.0,
    ) -> None:
        root = base_url.rstrip("/")
        self._root = root[: -len("/v1")] if root.endswith("/v1") else root
        self._model = model
        self._api_key = api_key
        self._configured_ctx = context_length
        self._timeout = timeout_s
        self._server_ctx: int | None = None
        self._models_checked = False
        self._tokenizer: tuple[str, str] | None = None  # (path, style) that worked
        self._schema_style = "json_schema"
        self.exact_token_counts = True

    @property
    def model_id(self) -> str:
        return f"remote:{self._model or self._root}"

    @property
    def context_length(self) -> int:
        if not self._models_checked:
            self._models_checked = True
            self._server_ctx = self._context_from_models()
        return (
            min(self._configured_ctx, self._server_ctx)
            if self._server_ctx
            else self._configured_ctx
        )

    def count_tokens(self, text: str) -> int:
        if not text:
            return 0
        count = self._remote_count(text)
        if count is not None:
            return count
        self.exact_token_counts = False
        return max(len(text.encode("utf-8")) // 3, len(text.split()), 1)

    def count_chat_tokens(self, messages: list[ChatMessage]) -> int:
        return (
            sum(self.count_tokens(m.content) + _CHAT_OVERHEAD_TOKENS for m in messages)
            + _CHAT_OVERHEAD_TOKENS
        )

    def stream_chat(
        self,
        messages: list[ChatMessage],
        options: GenerationOptions | None = None,
        cancel: CancelToken | None = None,
    ) -> Generator[str, None, Completion]:
        options = options or GenerationOptions()
        prompt_tokens = self.count_chat_tokens(messages)
        if prompt_tokens + options.max_tokens > self.context_length:
            raise ContextOverflowError(prompt_tokens, self.context_length - options.max_tokens)
        if cancel is not None:
            cancel.raise_if_cancelled()
        start = time.perf_counter()
        response = self._open_chat(messages, options)
        parts: list[str] = []
        first_s = 0.0
        finish = "stop"
        usage: dict[str, Any] = {}
        try:
            for event in _sse_events(response):
                if cancel is not None and cancel.cancelled:
                    raise Cancelled()
                usage = event.get("usage") or usage
                for choice in event.get("choices") or []:
                    piece = (choice.get("delta") or {}).get("content") or ""
                    if piece:
                        if not parts:
                            first_s = time.perf_counter() - start
                        parts.append(piece)
                        yield piece
                    finish = choice.get("finish_reason") or finish
        finally:
            response.close()
        return Completion(
            text="".join(parts),
            usage=Usage(
                prompt_tokens=int(usage.get("prompt_tokens") or prompt_tokens),
                completion_tokens=int(usage.get("completion_tokens") or len(parts)),
                time_to_first_token_s=first_s,
                total_s=time.perf_counter() - start,
            ),
            finish_reason=finish,
            model_id=self.model_id,
        )

    # ----- HTTP ---------------------------------------------------------------
    def _open_chat(self, messages: list[ChatMessage], options: GenerationOptions) -> Any:
        body: dict[str, Any] = {
            "model": self._model or "default",
            "messages": [{"role": m.role, "content": m.content} for m in messages],
            "stream": True,
            "stream_options": {"include_usage": True},
            "max_tokens": options.max_tokens,
            "temperature": options.temperature,
            "top_p": options.top_p,
            "seed": options.seed,
        }
        if options.stop:
            body["stop"] = list(options.stop)
        if options.repeat_penalty != 1.0:
            body["repeat_penalty"] = options.repeat_penalty
        if options.json_schema is None:
            return self._post("/v1/chat/completions", body, stream=True)
        body["response_format"] = self._response_format(options.json_schema)
        try:
            return self._post("/v1/chat/completions", body, stream=True)
        except _HttpStatus as exc:
            refused_form = exc.status in (400, 422, 500) and "response_format" in exc.message
            if self._schema_style != "json_schema" or not refused_form:
                raise ModelError(exc.message) from exc
            self._schema_style = "json_object"  # llama-cpp-python's server form
            body["response_format"] = self._response_format(options.json_schema)
            return self._post("/v1/chat/completions", body, stream=True)

    def _response_format(self, schema: dict[str, Any]) -> dict[str, Any]:
        if self._schema_style == "json_schema":
            return {
                "type": "json_schema",
                "json_schema": {"name": "reply", "schema": schema, "strict": True},
            }
        return {"type": "json_object", "schema": schema}

    def _post(self, path: str, body: dict[str, Any], stream: bool = False) -> Any:
        request = urllib.request.Request(
            self._root + path,
            data=json.dumps(body, ensure_ascii=False).encode("utf-8"),
            headers=self._headers(stream),
            method="POST",
        )
        return self._open(request)

    def _get(self, path: str) -> Any:
        return self._open(urllib.request.Request(self._root + path, headers=self._headers(False)))

    def _headers(self, stream: bool) -> dict[str, str]:
        headers = {"Content-Type": "application/json"}
        if stream:
            headers["Accept"] = "text/event-stream"
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        return headers

    def _open(self, request: urllib.request.Request) -> Any:
        try:
            return urllib.request.urlopen(request, timeout=self._timeout)
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", errors="replace")[:500]
            raise _HttpStatus(
                exc.code,
                f"The model server at {request.full_url} answered HTTP {exc.code}: {detail}",
            ) from exc
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise ModelError(
                f"Cannot reach the model server at {self._root} ({reason}). Check that it runs, "
                "or clear remote_llm_url to use the local model."
            ) from exc

    def _json(self, response: Any) -> Any:
        with response:
            return json.loads(response.read().decode("utf-8"))

    def _context_from_models(self) -> int | None:
        try:
            listing = self._json(self._get("/v1/models"))
        except (ModelError, ValueError):
            return None
        for model in listing.get("data") or []:
            if not self._model or model.get("id") == self._model:
                found = model.get("max_model_len") or (model.get("meta") or {}).get("n_ctx_train")
                return int(found) if found else None
        return None

    def _remote_count(self, text: str) -> int | None:
        probes = [
            ("/extras/tokenize/count", "llama-cpp-python"),
            ("/tokenize", "llama.cpp"),
            ("/tokenize", "vllm"),
        ]
        if self._tokenizer is not None:
            probes = [self._tokenizer]
        elif not self.exact_token_counts:
            return None  # probed before: the server has no tokenizer endpoint
        for path, style in probes:
            bodies: dict[str, dict[str, Any]] = {
                "llama-cpp-python": {"input": text},
                "llama.cpp": {"content": text},
                "vllm": {"model": self._model, "prompt": text, "add_special_tokens": False},
            }
            body = bodies[style]
            try:
                result = self._json(self._post(path, body))
            except (ModelError, ValueError):
                continue
            count = result.get("count")
            if count is None and isinstance(result.get("tokens"), list):
                count = len(result["tokens"])
            if isinstance(count, int):
                self._tokenizer = (path, style)
                return count
        return None


class _HttpStatus(ModelError):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _sse_events(response: Any) -> Iterator[dict[str, Any]]:
    """Parse `data:` lines of a server-sent event stream until `[DONE]`."""
    for raw in response:
        line = raw.decode("utf-8", errors="replace").strip()
        if not line.startswith("data:"):
            continue
        payload = line[len("data:") :].strip()
        if payload == "[DONE]":
            return
        try:
            event = json.loads(payload)
        except ValueError:
            continue
        if isinstance(event, dict):
            if "error" in event:
                raise ModelError(f"The model server reported an error: {event['error']}")
            yield event
