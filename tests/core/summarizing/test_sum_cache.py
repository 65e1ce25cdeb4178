"""The archive API: cached summaries, invalidation by re-import, roll-ups, cancel."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from chatsum.core.errors import Cancelled, NotFoundError
from chatsum.core.llm.base import ChatMessage, GenerationOptions
from chatsum.core.llm.fake import FakeTextGenerator
from chatsum.core.pipelines.summarizing import (
    SummaryOptions,
    summarize_days,
    summarize_period,
    summarize_range,
)
from chatsum.core.pipelines.summarizing.cache import SummaryCache
from chatsum.core.progress import CancelToken, drive
from chatsum.core.storage.store import Store
from tests.core.summarizing.helpers import BASE_MS, DAY_MS, OFFSET, echo_model, write_chat

DAY1 = [(0, m, who, text) for m, (who, text) in enumerate(
    [("张伟", "周六去香山爬山吧"), ("李娜", "爬山太累，我想唱K"), ("王强", "我同意爬山"),
     ("张伟", "那就周六爬山"), ("李娜", "我准备零食")]
)]  # fmt: skip
DAY2 = [(1, m, who, text) for m, (who, text) in enumerate(
    [("赵敏", "项目上线时间定了吗"), ("王强", "还有三个bug没修"), ("张伟", "推迟到周五吧"),
     ("赵敏", "客户催得紧"), ("王强", "我今晚加班修")]
)]  # fmt: skip
FIRST_DAY = date(2024, 5, 9)  # BASE_MS is 2024-05-09 08:00 at UTC+8


@pytest.fixture()
def archive(tmp_path: Path) -> tuple[Path, int]:
    db = tmp_path / "chatsum.db"
    return db, write_chat(db, DAY1 + DAY2, "export-1.txt")


def day(db: Path, generator: FakeTextGenerator, cid: int, which: date, **kw: Any) -> Any:
    return drive(summarize_period(db, generator, cid, "day", which, OFFSET, SummaryOptions(**kw)))


def test_a_summary_is_cached_and_served_without_the_model(archive: tuple[Path, int]) -> None:
    db, cid = archive
    generator = FakeTextGenerator(echo_model)
    first = drive(summarize_range(db, generator, cid))
    assert len(generator.calls) == 1 and not first.from_cache
    again = drive(summarize_range(db, generator, cid))
    assert len(generator.calls) == 1 and again.from_cache
    assert again.topics == first.topics and again.cited_messages == first.cited_messages
    fresh = drive(summarize_range(db, generator, cid, options=SummaryOptions(use_cache=False)))
    assert len(generator.calls) == 2 and not fresh.from_cache


def test_the_cache_key_includes_model_language_and_range(archive: tuple[Path, int]) -> None:
    db, cid = archive
    generator = FakeTextGenerator(echo_model)
    drive(summarize_range(db, generator, cid))
    drive(summarize_range(db, FakeTextGenerator(echo_model, model_id="other"), cid))
    drive(summarize_range(db, generator, cid, options=SummaryOptions(language="en")))
    drive(summarize_range(db, generator, cid, BASE_MS, BASE_MS + DAY_MS))
    assert len(generator.calls) == 3
    store = Store.open(db)
    assert SummaryCache(store.conn).count(cid) == 4
    store.close()


def test_reimport_adding_a_message_to_one_day_invalidates_only_that_day(
    archive: tuple[Path, int],
) -> None:
    db, cid = archive
    generator = FakeTextGenerator(echo_model)
    day1, day2 = FIRST_DAY, date(2024, 5, 10)
    day(db, generator, cid, day1)
    day(db, generator, cid, day2)
    assert len(generator.calls) == 2
    # A newer export of the same chat: everything again plus one new message on day 2.
    write_chat(db, [*DAY1, *DAY2, (1, 30, "李娜", "周四我可以帮忙测试")], "export-2.txt")
    assert day(db, generator, cid, day1).from_cache
    assert len(generator.calls) == 2
    refreshed = day(db, generator, cid, day2)
    assert not refreshed.from_cache and refreshed.message_count == 6
    assert len(generator.calls) == 3


def test_week_and_month_roll_up_from_cached_days(archive: tuple[Path, int]) -> None:
    db, cid = archive
    generator = FakeTextGenerator(echo_model)
    week = drive(summarize_period(db, generator, cid, "week", FIRST_DAY, OFFSET))
    # Two days with messages, then one merge of their topics.
    assert len(generator.calls) == 3 and week.scope == "week"
    assert "归为一组" in generator.calls[-1][0][0].content
    assert {c.message_id for c in week.cited_messages} <= set(range(1, 11))
    assert drive(summarize_period(db, generator, cid, "week", FIRST_DAY, OFFSET)).from_cache
    assert len(generator.calls) == 3
    month = drive(summarize_period(db, generator, cid, "month", FIRST_DAY, OFFSET))
    # The month's only busy piece is the full week 6–12 May: served from the cache,
    # so the month costs one merge.
    assert month.scope == "month" and len(generator.calls) == 4
    write_chat(db, [*DAY1, *DAY2, (1, 30, "李娜", "周四我可以帮忙测试")], "export-2.txt")
    drive(summarize_period(db, generator, cid, "week", FIRST_DAY, OFFSET))
    # Day 2 and the week again; day 1 from the cache.
    assert len(generator.calls) == 6


def test_by_day_gives_one_summary_per_day_with_messages(archive: tuple[Path, int]) -> None:
    db, cid = archive
    generator = FakeTextGenerator(echo_model)
    days = drive(
        summarize_days(db, generator, cid, FIRST_DAY, date(2024, 5, 20), OFFSET, SummaryOptions())
    )
    assert [s.message_count for s in days] == [5, 5]
    assert [s.scope for s in days] == ["day", "day"]


def test_a_cancelled_run_stores_nothing(archive: tuple[Path, int]) -> None:
    db, cid = archive
    token = CancelToken()
    generator = FakeTextGenerator(echo_model)
    gen = summarize_range(db, generator, cid, cancel=token)
    with pytest.raises(Cancelled):
        for event in gen:
            if isinstance(event, str):
                token.cancel()
    store = Store.open(db)
    assert SummaryCache(store.conn).count(cid) == 0
    store.close()


def test_an_incomplete_summary_is_not_cached(archive: tuple[Path, int]) -> None:
    db, cid = archive

    def broken(messages: list[ChatMessage], options: GenerationOptions) -> str:
        return "{"

    first = drive(summarize_range(db, FakeTextGenerator(broken), cid))
    assert "failed" in first.quality.flags and first.topics == ()
    generator = FakeTextGenerator(echo_model)
    assert not drive(summarize_range(db, generator, cid)).from_cache
    assert len(generator.calls) == 1


def test_forgetting_a_conversation_removes_its_summaries(archive: tuple[Path, int]) -> None:
    db, cid = archive
    drive(summarize_range(db, FakeTextGenerator(echo_model), cid))
    store = Store.open(db)
    assert SummaryCache(store.conn).count(cid) == 1
    store.forget_conversation(cid)
    assert SummaryCache(store.conn).count(cid) == 0
    store.close()


def test_unknown_conversation(archive: tuple[Path, int]) -> None:
    db, _ = archive
    with pytest.raises(NotFoundError):
        drive(summarize_range(db, FakeTextGenerator(echo_model), 999))
