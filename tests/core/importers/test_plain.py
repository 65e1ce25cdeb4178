"""Plain `Name: text` transcripts, and what must not be mistaken for one."""

from __future__ import annotations

from pathlib import Path

import pytest

from chatsum.core.domain import MessageKind
from chatsum.core.errors import ImportFormatError
from chatsum.core.importers.plain import PLAIN_TRANSCRIPT, parse_utterance
from chatsum.core.importers.registry import plan
from tests.core.importers.cjk_harness import (
    FIXTURES,
    detected_format,
    parse_fixture,
    parse_unsniffed,
    sniffs,
    utc_ms,
)

PLAIN = FIXTURES / "plain"


def test_speaker_ids_with_full_width_colons_get_ordered_synthetic_times() -> None:
    parsed = parse_fixture(PLAIN_TRANSCRIPT, PLAIN / "dialogue_speaker_ids.txt")

    assert [m.sender_name for m in parsed.messages] == ["2000_2_1", "2000_2_2"] * 3
    assert parsed.messages[0].text == "你好，请问明天的会议几点开始？"
    base = utc_ms(2000, 1, 1, 0, 0)
    assert [m.ts_ms for m in parsed.messages] == [base + 1000 * i for i in range(6)]
    assert all(m.offset_assumed for m in parsed.messages)
    assert (parsed.messages[-1].kind, parsed.messages[-1].media) == (MessageKind.MEDIA, "[图片]")
    assert parsed.warnings() == {"times-missing": 1}  # one warning, not one per line


def test_leading_timestamps_and_continuation_lines() -> None:
    parsed = parse_fixture(PLAIN_TRANSCRIPT, PLAIN / "timestamped.txt")

    assert parsed.messages[1].text == "Yes! What a finish.\nThe last minute goal was unreal."
    assert [m.ts_ms for m in parsed.messages[:4]] == [
        utc_ms(2023, 5, 1, 12, 0, 5),
        utc_ms(2023, 5, 1, 12, 0, 40),
        utc_ms(2023, 5, 1, 12, 1, 10),
        utc_ms(2023, 5, 1, 12, 2, 0),
    ]
    # An impossible date keeps the message, one second after the previous one.
    assert parsed.messages[4].ts_ms == parsed.messages[3].ts_ms + 1000
    assert parsed.examples("bad-time") == ["line 6: 2023-13-40 12:03:00"]


def test_clock_only_times_roll_over_midnight_in_gb18030() -> None:
    parsed = parse_fixture(PLAIN_TRANSCRIPT, PLAIN / "clock_only.txt")

    assert [m.sender_name for m in parsed.messages] == ["小王", "小李", "小王", "小李"]
    assert [m.ts_ms for m in parsed.messages] == [
        utc_ms(2000, 1, 1, 23, 58),
        utc_ms(2000, 1, 1, 23, 59),
        utc_ms(2000, 1, 2, 0, 1),
        utc_ms(2000, 1, 2, 0, 2),
    ]
    assert parsed.warnings() == {"dates-missing": 1}


@pytest.mark.parametrize(
    "line",
    [
        "12/31/20, 9:15 PM - Alice: hi",  # WhatsApp Android
        "[31/12/20, 21:15:00] Alice: hi",  # WhatsApp iOS
        "13.6.2018 klo 21.25.15 - Alice: hi",
        "see https://example.com for details",
        "2023-01-01 12:00:00 ERROR: disk full",
        '"name": "value",',
        "12:00\tAlice\tHello",
    ],
)
def test_lines_that_are_not_utterances(line: str) -> None:
    assert parse_utterance(line) is None


def test_config_files_and_whatsapp_chats_are_not_transcripts() -> None:
    assert not sniffs(PLAIN_TRANSCRIPT, PLAIN / "config_like.yaml.txt")
    assert not sniffs(PLAIN_TRANSCRIPT, PLAIN / "whatsapp_like.txt")
    for path in (PLAIN / "config_like.yaml.txt", PLAIN / "whatsapp_like.txt"):
        try:
            units = plan([path]).units
        except ImportFormatError:
            continue  # nobody claims it: fine
        assert all(unit.format_id != "plain-transcript" for unit in units)


def test_a_transcript_with_no_utterance_at_all_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("just some notes\nwithout speakers\n", encoding="utf-8")
    assert not sniffs(PLAIN_TRANSCRIPT, path)
    with pytest.raises(ImportFormatError) as caught:
        parse_unsniffed(PLAIN_TRANSCRIPT, path)
    assert caught.value.location == "line 1"


def test_registry_detects_transcripts() -> None:
    assert detected_format(PLAIN / "dialogue_speaker_ids.txt") == "plain-transcript"
    assert detected_format(PLAIN / "clock_only.txt") == "plain-transcript"
