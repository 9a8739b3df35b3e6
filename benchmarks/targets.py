"""The targets every benchmark section is judged against, and the verdict on one figure."""

from __future__ import annotations

TARGETS = {
    "language_no_context": 0.99,
    "language_context": 0.995,
    "macro_f1": 0.95,
    "closed_50_rps": 100.0,
    "open_30_p95_ms": 100.0,
    "alone_p50_ms": 30.0,
    "overhead": 0.20,
    "memory_mb": 1500,
    "train_s": 180,
    "first_answer_s": 60,
    "content_edit_s": 5,
}


def verdict(value: float, target: float, higher_is_better: bool) -> str:
    met = value >= target if higher_is_better else value <= target
    if met:
        return "met"
    gap = (target - value) if higher_is_better else (value - target)
    return f"missed by {gap:.3g}"
