"""Summary benchmark: a busy Chinese group-chat day summarized end to end.

Builds a synthetic day of N messages (default 1,000; `--sizes 1000,3000` for the
scaling curve) in a temporary archive, written through the store's ImportWriter
like an import, then times `summarize_range` on it with the chosen model (the
default model unless `--model`), cache off. The synthetic day is deterministic
(seeded): 12 members, ten recurring work and life threads told in sessions
separated by silences, about a quarter of the messages filler ("好的",
"哈哈哈", stickers, "[图片]") as in real groups.

Because the bench wrote the day, it knows which thread every message belongs
to, so it also reports what the summary is *about*: the thread each final
topic's citations mostly come from, and how many distinct threads the topics
cover against the day's largest threads (topics that retell the same thread
cover one).

Reported per size: wall seconds, seconds per 1,000 messages, model calls,
windows, reduce rounds, prompt/completion tokens, the time inside the model,
and the topics found. Target (issue 4): 1,000 messages in <= 5 minutes on a
2-core CPU with the default model, growing about linearly with N.

Usage: .venv/bin/python bench/bench_summarize.py [--sizes 1000,3000] [--model ID]
Models come from CHATSUM_HOME's models folder. Results go to bench/out/summarize.json.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from chatsum.config import load_settings
from chatsum.core.domain import (
    ConversationKind,
    MessageKind,
    ParsedConversation,
    ParsedMessage,
    Summary,
)
from chatsum.core.pipelines.summarizing import PROMPT_VERSION, SummaryOptions, summarize_range
from chatsum.core.progress import Progress
from chatsum.core.storage.store import Store
from chatsum.services import AppServices

DAY_START_MS = 1_731_888_000_000  # 2024-11-18 08:00 at UTC+8
OFFSET = 480
MEMBERS = [
    "王强",
    "李娜",
    "张伟",
    "刘洋",
    "陈静",
    "赵敏",
    "孙磊",
    "周婷",
    "吴昊",
    "郑爽",
    "何佳",
    "马超",
]
FILLER = ["好的", "哈哈哈", "收到", "👍", "[图片]", "[动画表情]", "嗯嗯", "哈哈", "OK", "[微笑]"]
THREADS: dict[str, list[str]] = {
    "团建": [
        "这周六团建大家想去哪？{who}说想去爬山",
        "我投{place}一票，离公司近",
        "爬山太累了，我更想去唱K",
        "预算每人{n}块，超出的自己出",
        "周六上午{t}点公司楼下集合吧",
        "{who}周六要加班，能不能改周日",
        "那就周日，天气预报说是晴天",
        "农家乐可以钓鱼，人均{n}左右",
        "我来订车，大概需要两辆",
        "记得带水和防晒，山上太阳大",
    ],
    "上线": [
        "新版本原定周{d}上线，测试还有{n}个bug",
        "支付回调那个bug比较严重，必须修",
        "界面的问题可以放到下个版本",
        "客户催得很紧，最好别推迟",
        "我今晚加班修，明天下午再评估",
        "回归测试要{n}个小时，时间很紧",
        "要不先灰度发布{n}%的用户",
        "灰度可以，出问题能马上回滚",
        "{who}负责盯监控，上线后观察两小时",
        "那就周{d}晚上{t}点上线，大家辛苦",
    ],
    "故障": [
        "线上服务又宕机了，数据库连接池被打满",
        "是不是报表查询没加索引？",
        "我先回滚了，影响了大概{n}分钟",
        "得加连接超时和告警，不然还会出事",
        "复盘会定在明天上午{t}点",
        "{who}把慢查询日志导出来看看",
        "CPU一直在{n}%左右，需要扩容吗",
        "先加两台机器，按量付费",
    ],
    "午饭": [
        "中午吃什么？拼单吗",
        "楼下新开了一家{food}，有人去吗",
        "我要一份{food}，不要辣",
        "满{n}减二十，再来两个人",
        "{who}帮我带一杯咖啡谢谢",
        "今天外卖太慢了，等了{n}分钟",
    ],
    "报销": [
        "上个月的报销单周{d}之前交给我",
        "发票丢了怎么办？",
        "找商家补开，或者写情况说明让经理签字",
        "电子发票打印出来就可以",
        "打车费要附行程单",
        "报销款下周{d}统一打款",
    ],
    "年会": [
        "年会每个部门要出一个节目",
        "我们部门表演小品怎么样",
        "{who}唱歌好听，可以独唱",
        "排练时间定在每周{d}晚上{t}点",
        "服装要不要统一租，每套{n}块",
        "抽奖的奖品预算是{n}块",
    ],
    "招聘": [
        "前端岗位这周面了{n}个人",
        "那个做过小程序的候选人我比较看好",
        "他要价{n}k，超出预算了",
        "能不能用期权补一点",
        "{who}明天安排二面",
        "HR说下周{d}前要给答复",
    ],
    "搬家": [
        "办公室下个月搬到{place}",
        "新地址离地铁站步行{n}分钟",
        "搬家那天每个人打包自己的东西",
        "显示器和主机贴好标签",
        "{who}负责联系搬家公司",
        "周{d}下午停网，大家提前备份",
    ],
    "周报": [
        "周报统一用新模板，放在共享盘了",
        "每个bug的状态都要填吗",
        "要，测试部分{who}来汇总",
        "周{d}下午{t}点前发给我",
        "OKR这季度完成了{n}%",
    ],
    "健身": [
        "今天打卡跑了{n}公里",
        "公司附近的健身房办卡有团购价",
        "{who}一起去游泳吗",
        "这周目标是运动{n}次",
        "膝盖疼，这周先休息",
    ],
}
PLACES = ["香山", "奥森公园", "望京SOHO", "中关村", "西二旗", "颐和园"]
FOODS = ["麻辣烫", "黄焖鸡", "兰州拉面", "沙拉", "披萨", "煲仔饭"]


def synthetic_day(count: int, seed: int = 4) -> list[tuple[int, str, str, str]]:
    """(ts_ms, sender, text, thread) for `count` messages of one busy day, in time
    order; filler's thread is ""."""
    rng = random.Random(seed)
    topics = list(THREADS)
    rows: list[tuple[int, str, str, str]] = []
    ts = DAY_START_MS
    span_ms = 15 * 3600 * 1000
    # Sessions of 20–60 messages on one thread, separated by silences.
    sessions: list[tuple[str, int]] = []
    left = count
    while left > 0:
        size = min(left, rng.randint(20, 60))
        sessions.append((rng.choice(topics), size))
        left -= size
    gap_ms = span_ms // max(1, len(sessions))
    for index, (thread, size) in enumerate(sessions):
        ts = DAY_START_MS + index * gap_ms
        speakers = rng.sample(MEMBERS, rng.randint(3, 6))
        for _ in range(size):
            ts += rng.randint(5, 90) * 1000
            sender = rng.choice(speakers)
            if rng.random() < 0.25:
                text, about = rng.choice(FILLER), ""
            else:
                about = thread
                text = rng.choice(THREADS[thread]).format(
                    who=rng.choice([m for m in MEMBERS if m != sender]),
                    place=rng.choice(PLACES),
                    food=rng.choice(FOODS),
                    n=rng.choice([2, 3, 5, 8, 10, 15, 20, 30, 50, 80, 100, 150, 200]),
                    t=rng.randint(7, 21),
                    d=rng.choice("一二三四五六日"),
                )
            rows.append((ts, sender, text, about))
    return rows


def build_archive(db: Path, rows: list[tuple[int, str, str, str]]) -> int:
    store = Store.open(db)
    try:
        writer = store.writer()
        writer.begin("synthetic-day.txt", len(rows), "0" * 64, "bench")
        conversation_id = int(
            writer.add_conversation(
                ParsedConversation("day", "bench", "产品研发大群", ConversationKind.GROUP)
            )
        )
        for ts, sender, text, _ in rows:
            kind = MessageKind.MEDIA if text == "[图片]" else MessageKind.TEXT
            writer.add_message(
                ParsedMessage("day", ts, OFFSET, False, kind, text, sender_name=sender)
            )
        writer.commit([])
        return conversation_id
    finally:
        store.close()


def topic_threads(summary: Summary, rows: list[tuple[int, str, str, str]]) -> list[str]:
    """The thread most of each topic's cited messages belong to ("?" when none do)."""
    thread_of = {text: about for _, _, text, about in rows if about}
    text_of = {c.message_id: c.text for c in summary.cited_messages}
    found = []
    for topic in summary.topics:
        cited = {mid for claim in topic.claims() for mid in claim.message_ids}
        votes = Counter(thread_of.get(text_of.get(mid, ""), "") for mid in cited)
        votes.pop("", None)
        found.append(votes.most_common(1)[0][0] if votes else "?")
    return found


def run_size(generator: Any, size: int, workdir: Path) -> dict[str, Any]:
    db = workdir / f"day-{size}.db"
    rows = synthetic_day(size)
    conversation_id = build_archive(db, rows)
    options = SummaryOptions(use_cache=False)
    started = time.monotonic()
    last_stage = ""
    job = summarize_range(db, generator, conversation_id, options=options)
    while True:
        try:
            event = next(job)
        except StopIteration as stop:
            summary = stop.value
            break
        if isinstance(event, Progress) and event.message != last_stage:
            last_stage = event.message
            print(
                f"  {time.monotonic() - started:7.1f}s  {event.stage}: {event.message}", flush=True
            )
    wall = time.monotonic() - started
    q, t = summary.quality, summary.timings
    threads = topic_threads(summary, rows)
    largest = Counter(about for _, _, _, about in rows if about)
    return {
        "messages": size,
        "seconds": round(wall, 1),
        "seconds_per_1000": round(wall / size * 1000, 1),
        "llm_seconds": round(t.llm_s, 1),
        "llm_calls": t.llm_calls,
        "prompt_tokens": t.prompt_tokens,
        "completion_tokens": t.completion_tokens,
        "windows": q.windows,
        "reduce_rounds": q.reduce_rounds,
        "lines_dropped": q.messages_dropped,
        "schema_valid": q.schema_valid,
        "citations_cited": q.citations_cited,
        "citations_invalid": q.citations_invalid,
        "citations_misattributed": q.citations_misattributed,
        "unsupported_claims": q.unsupported_claims,
        "flags": list(q.flags),
        "topics": [topic.title for topic in summary.topics],
        "topic_threads": threads,
        "threads_covered": len(set(threads) - {"?"}),
        "largest_threads": [name for name, _ in largest.most_common(5)],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000", help="comma-separated message counts")
    parser.add_argument("--model", help="installed model id (default: the configured model)")
    args = parser.parse_args()
    settings = load_settings({"model": args.model} if args.model else None)
    services = AppServices(settings)
    generator = services.engine
    results = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for size in (int(s) for s in args.sizes.split(",")):
                print(f"{size} messages, model {generator.model_id}, prompt {PROMPT_VERSION}")
                row = run_size(generator, size, Path(tmp))
                print(json.dumps(row, ensure_ascii=False), flush=True)
                results.append(row)
    finally:
        services.close()
    out = Path(__file__).parent / "out" / "summarize.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(
        json.dumps(
            {"model": generator.model_id, "prompt_version": PROMPT_VERSION, "results": results},
            ensure_ascii=False,
            indent=2,
        ),
        encoding="utf-8",
    )
    print(
        "| messages | seconds | s / 1,000 msgs | model calls | windows | prompt tok "
        "| completion tok | threads covered (of the topics) |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for r in results:
        print(
            f"| {r['messages']:,} | {r['seconds']} | {r['seconds_per_1000']} | {r['llm_calls']} | "
            f"{r['windows']} | {r['prompt_tokens']:,} | {r['completion_tokens']:,} | "
            f"{r['threads_covered']} of {len(r['topic_threads'])} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
