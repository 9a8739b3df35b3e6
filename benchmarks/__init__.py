"""``make benchmark``: understanding, language choice, speed and cost, side by side
with the alternatives, in one run; writes BENCHMARKS.md and docs/latency.png."""
