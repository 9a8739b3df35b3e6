"""What Traditional Chinese costs per message: telling the script, converting.

    python -m benchmarks.chinese_scripts

Prints the time to read OpenCC's tables (once per process), then the median
microseconds per tourist message for what the channel core does to it (the
language decision's script check, the conversion to Simplified for Rasa) and
per reply for the conversion to Traditional.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence

from language import chinese

MESSAGES = (
    "崇禮有哪些滑雪場",
    "八達嶺長城門票多少錢",
    "說中文",
    "台北到張家口怎麼去",
    "你好",
    "請問慕田峪長城幾點開門？",
)
REPLY = (
    "八达岭长城位于北京市延庆区，是明长城中保存最好、最具代表性的一段，也是最早向游客开放的"
    "长城景区。门票旺季40元，淡季35元，缆车另付。从北京北站乘高铁到八达岭长城站约30分钟。"
) * 3


def microseconds(work: Callable[[str], object], texts: Sequence[str], rounds: int) -> float:
    """Median over five runs of the microseconds ``work`` takes per text."""
    runs = []
    for _ in range(5):
        started = time.perf_counter()
        for _ in range(rounds):
            for text in texts:
                work(text)
        runs.append((time.perf_counter() - started) / (rounds * len(texts)) * 1e6)
    return statistics.median(runs)


def main() -> None:
    started = time.perf_counter()
    chinese.script("崇禮")
    loaded = (time.perf_counter() - started) * 1000
    print(f"tables read once per process: {loaded:.0f} ms")
    print(f"script of a message: {microseconds(chinese.script, MESSAGES, 300):.1f} us")
    print(f"message to Simplified: {microseconds(chinese.to_simplified, MESSAGES, 300):.1f} us")
    reply = microseconds(chinese.to_traditional, [REPLY], 50)
    print(f"reply of {len(REPLY)} characters to Traditional: {reply:.0f} us")


if __name__ == "__main__":
    main()
