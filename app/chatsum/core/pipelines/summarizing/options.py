"""What a caller can tune about one summary run, in one frozen object.

The desktop app and the CLI build it from `Settings` (language, redaction) plus
their own flags; the defaults are the measured ones (see bench/README.md), so a
caller that passes nothing gets the configuration the figures were taken with.
`cache_key()` is the part of the options that changes what the model sees and
therefore belongs in the summary cache key.
"""

from __future__ import annotations

from dataclasses import dataclass

LANGUAGES = ("auto", "zh", "en")


@dataclass(frozen=True)
class SummaryOptions:
    language: str = "auto"
    """auto (the chat's dominant language), zh or en."""
    redact_pii: bool = False
    """Replace phone numbers, e-mails and ID numbers before the model sees them."""
    use_cache: bool = True
    """Read and write the summary cache in the archive."""
    session_gap_min: int = 30
    """A silence this long starts a new session."""
    window_tokens: int = 4500
    """Chat tokens of a range summarized in one call; lowered automatically to fit
    the context window."""
    part_window_tokens: int = 1200
    """Chat tokens per map window of a range longer than `window_tokens`: small,
    because the default 1.5B model writes about the first twenty lines of a long
    window and ignores the rest (bench/README.md)."""
    temperature: float = 0.1
    max_topics: int = 5
    min_topics: int = 2
    seed: int = 7

    def cache_key(self, language: str) -> str:
        """Options that change the model's input or output, with the resolved language."""
        return (
            f"lang={language};redact={int(self.redact_pii)};gap={self.session_gap_min};"
            f"window={self.window_tokens}/{self.part_window_tokens};"
            f"topics={self.min_topics}-{self.max_topics};"
            f"t={self.temperature};seed={self.seed}"
        )
