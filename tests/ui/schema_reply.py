"""A scripted "model" for the summary pipeline that follows whatever schema it is given.

The summarizing pipeline holds the model to a JSON schema and checks every
cited line number against the prompt. A fixed reply breaks whenever that
schema is refined, so this script builds its reply from the schema in the
request instead: strings within their length limits, id lists citing lines
that really are in the prompt (`n speaker: text`, `[n] label: text`), enums of participants
set to the speaker of the cited line. Used by the UI tests and the UI stall
benchmark; it exercises the real pipeline, never a shortcut around it.
"""

from __future__ import annotations

from itertools import count
from typing import Any

from chatsum.core.llm.base import ChatMessage, GenerationOptions
from tests.core.summarizing.helpers import prompt_items


class _Filler:
    def __init__(self, lines: list[tuple[int, str, str]]) -> None:
        self.lines = lines or [(1, "?", "")]
        self.cursor = 0
        self.serial = count(1)

    def cite(self) -> tuple[int, str, str]:
        line = self.lines[self.cursor % len(self.lines)]
        self.cursor += 1
        return line

    def value(self, schema: dict[str, Any], key: str, cited: tuple[int, str, str]) -> Any:
        if "enum" in schema:
            return cited[1] if cited[1] in schema["enum"] else schema["enum"][0]
        kind = schema.get("type")
        if kind == "object":
            line = self.cite()  # one cited line per object: its ids and its speaker agree
            return {
                name: self.value(sub, name, line)
                for name, sub in schema.get("properties", {}).items()
            }
        if kind == "array":
            items = schema.get("items", {})
            if items.get("type") == "integer":
                return [cited[0]]
            return [self.value(items, key, cited) for _ in range(max(1, schema.get("minItems", 0)))]
        if kind == "integer":
            return cited[0]
        if kind == "boolean":
            return True
        text = f"{key} {next(self.serial)}: {cited[2][:40]}".strip()
        longest = schema.get("maxLength", 200)
        return text[:longest].ljust(schema.get("minLength", 0), ".")


def reply_following_schema(messages: list[ChatMessage], options: GenerationOptions) -> Any:
    """A FakeTextGenerator script: a schema-valid reply citing the prompt's own lines."""
    lines = prompt_items(messages)
    if options.json_schema is None:
        return "ok"
    return _Filler(lines).value(options.json_schema, "reply", (lines or [(1, "?", "")])[0])
