"""The benchmark's smoke run: every measurement runs and lands in the report.

Speed and memory goals are judged by `make benchmark` (BENCHMARKS.md), not here."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e


OPERATORS = "## The image and a region's stack (operators)\n\n| image | 3.1 GB |\n"


def test_the_smoke_benchmark_writes_every_section(running, tmp_path):
    from benchmarks.__main__ import main

    report, chart = tmp_path / "BENCHMARKS.md", tmp_path / "latency.png"
    report.write_text("# Benchmarks\n\n## 1. Language\n\nold figures\n\n" + OPERATORS)
    # The speed against the session's assistant (the cost part starts its own `bot run`).
    main(["--smoke", "--out", str(report), "--chart", str(chart), "--rasa-url", running.rasa_url])
    text = report.read_text(encoding="utf-8")
    assert "old figures" not in text
    assert text.endswith("\n" + OPERATORS)  # make image-test's section, kept as it was
    for heading in ("## 1. Language", "## 2. Understanding", "## 3. Speed", "## 4. Cost"):
        assert heading in text
    assert "| Telegram channel (offline Bot API) | closed loop, 1 chat |" in text
    assert "| Rasa REST channel | closed loop, 1 chat |" in text
    assert "**all together**" in text
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
