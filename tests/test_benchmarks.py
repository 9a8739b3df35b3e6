"""The benchmark's smoke run: every measurement runs and lands in the report.

Speed and memory goals are judged by `make benchmark` (BENCHMARKS.md), not here."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e


def test_the_smoke_benchmark_writes_every_section(model, tmp_path):
    from benchmarks.__main__ import main

    report, chart = tmp_path / "BENCHMARKS.md", tmp_path / "latency.png"
    main(["--smoke", "--out", str(report), "--chart", str(chart)])
    text = report.read_text(encoding="utf-8")
    for heading in ("## 1. Language", "## 2. Understanding", "## 3. Speed", "## 4. Cost"):
        assert heading in text
    assert "| Telegram channel (offline Bot API) | closed loop, 1 chat |" in text
    assert "| Rasa REST channel | closed loop, 1 chat |" in text
    assert "**all together**" in text
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
