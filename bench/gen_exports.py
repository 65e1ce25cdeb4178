"""Generate large synthetic chat exports for the import and search benchmarks.

Deterministic (seeded) mixed Chinese/English group chats written as a WhatsApp
Android .txt and a Telegram Desktop result.json, streamed to disk so the
generator itself needs little memory.

    python bench/gen_exports.py --messages 1000000 --out bench/out
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

SENDERS = ["王强", "李娜", "张伟", "Tom", "Alice", "刘洋", "陈静", "Bob", "赵磊", "Maria"]
ZH = [
    "周末去爬山吗",
    "服务器又宕机了",
    "我觉得这个方案可以",
    "明天下午三点开会",
    "发布时间要推迟一周",
    "谁有空帮忙看一下代码",
    "晚上一起吃火锅",
    "这个需求太复杂了",
    "测试环境已经部署好了",
    "好的收到",
    "我们把上线改到下周三吧",
    "数据库备份做了吗",
    "哈哈哈",
    "价格有点贵",
    "客户反馈说很好用",
    "移动端还不支持",
    "下载速度太慢",
    "周六早上八点集合",
    "记得带水和雨衣",
    "这个bug复现不了",
]
EN = [
    "Can we move the launch to next Wednesday?",
    "The deploy failed again",
    "I think the plan works",
    "Let's meet at 3pm tomorrow",
    "Who can review my pull request?",
    "Hiking this weekend anyone?",
    "The server is down",
    "Sounds good to me",
    "Budget is tight this quarter",
    "lol",
    "Customer says the mobile app crashes",
    "Backup finished at midnight",
    "Bring water and a raincoat",
]


def iter_messages(count: int, seed: int = 7) -> Iterator[tuple[datetime, str, str]]:
    rng = random.Random(seed)
    moment = datetime(2024, 1, 1, 8, 0, 0)
    for index in range(count):
        moment += timedelta(seconds=rng.randint(1, 40))
        sender = rng.choice(SENDERS)
        pool = ZH if rng.random() < 0.6 else EN
        text = rng.choice(pool)
        if rng.random() < 0.3:
            text = f"{text} {rng.choice(pool)} #{index % 997}"
        yield moment, sender, text


def write_whatsapp(path: Path, count: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        for moment, sender, text in iter_messages(count):
            out.write(f"{moment:%d/%m/%Y}, {moment:%H:%M} - {sender}: {text}\n")


def write_telegram(path: Path, count: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write(
            '{\n "name": "Bench group 基准群",\n "type": "private_supergroup",\n "id": 4242,\n "messages": [\n'
        )
        for index, (moment, sender, text) in enumerate(iter_messages(count)):
            record = {
                "id": index + 1,
                "type": "message",
                "date": moment.isoformat(),
                "date_unixtime": str(int(moment.timestamp())),
                "from": sender,
                "from_id": f"user{SENDERS.index(sender) + 1000}",
                "text": text,
                "text_entities": [{"type": "plain", "text": text}],
            }
            out.write(("  " if index == 0 else ",\n  ") + json.dumps(record, ensure_ascii=False))
        out.write("\n ]\n}\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--out", type=Path, default=Path("bench/out"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    write_whatsapp(args.out / f"whatsapp_{args.messages}.txt", args.messages)
    write_telegram(args.out / f"telegram_{args.messages}.json", args.messages)
    print(f"wrote {args.messages} messages per format into {args.out}")


if __name__ == "__main__":
    main()
