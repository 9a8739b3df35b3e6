"""The sentence encoder measured: (a) the pipeline without it, (b) the same
pipeline with its vectors given to the same logistic regression, (c) Rasa's
default pipeline, all trained on the same data (nlu/ and the FAQ importer).

    python -m benchmarks.encoder --scale S [--skip-default] [--skip-serve]

(b) is config.yml with ``rasa_extensions.sentence_encoder.SentenceEncoderFeaturizer``
just before ``LogisticRegressionClassifier`` (or config.yml as it is, when it
has the encoder already; (a) is then config.yml without it), at the scale
chosen by cross-validation on the training data (``python -m
evaluation.cross_validation``): tests/nlu_heldout/ only measures. Prints
Markdown tables: intent macro-F1 per language and training time (empty
cache); time of one message through the trained NLU model and resident
memory of the process holding it (a fresh process per model, the held-out
messages one by one); and, with the whole assistant served by ``rasa run``
as ``make run`` does, one chat's reply latency over REST and the Rasa
server's resident memory. Figures: docs/nlu-model.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import yaml

from benchmarks import cost, load
from benchmarks.understanding import default_config_with_our_data
from evaluation import heldout, nlu
from language import LANGUAGES
from rasa_extensions import command as rasa_command
from rasa_extensions.command import ROOT

ENCODER = "rasa_extensions.sentence_encoder.SentenceEncoderFeaturizer"
CLASSIFIER = "LogisticRegressionClassifier"


def configs(scale: float) -> dict[str, dict]:
    """config.yml without the encoder, and with it at ``scale``."""
    ours = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    without = {**ours, "pipeline": [c for c in ours["pipeline"] if c["name"] != ENCODER]}
    pipeline = list(without["pipeline"])
    at = next(i for i, c in enumerate(pipeline) if c["name"] == CLASSIFIER)
    pipeline.insert(at, {"name": ENCODER, "scale": scale})
    return {"without": without, "with": {**without, "pipeline": pipeline}}


def write(config: dict, path: Path) -> Path:
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def probe(model: Path) -> dict[str, float]:
    """Loading time, per-message parse times and memory, in a fresh process."""
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.encoder", "--probe", str(model)],
        cwd=ROOT,
        env=rasa_command.environment(),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def _probe(model: Path) -> None:
    import logging

    from rasa.core.agent import Agent
    from rasa.utils.common import configure_logging_and_warnings

    configure_logging_and_warnings(logging.WARNING)
    texts = [e.text for examples in heldout.load_all().values() for e in examples]
    started = time.perf_counter()
    agent = Agent.load(str(model))
    loaded = time.perf_counter() - started

    async def timed() -> list[float]:
        for text in texts[:20]:  # warm-up
            await agent.parse_message(text)
        times = []
        for text in texts:
            t = time.perf_counter()
            await agent.parse_message(text)
            times.append((time.perf_counter() - t) * 1000)
        return times

    times = sorted(asyncio.run(timed()))
    status = cost._status(os.getpid())
    print(json.dumps({
        "load_s": loaded, "p50_ms": statistics.median(times), "p95_ms": times[int(0.95 * (len(times) - 1))],
        "mean_ms": statistics.fmean(times), "n": len(times), "rss_mb": status.get("VmRSS", 0),
        "peak_mb": status.get("VmHWM", 0),
    }))  # fmt: skip


def serve(config: Path, work: Path, replies: int = 120) -> dict[str, float]:
    """The whole assistant trained with ``config`` and served: REST latency, Rasa's memory."""
    import settings as settings_module
    from bot.services import Services

    models = work / "models"
    args = ["train", "--config", str(config), "--domain", "domain.yml", "--data", "nlu", "dialogue",
            "--out", str(models)]  # fmt: skip
    started = time.perf_counter()
    trained = rasa_command.run(args, extra_env={"RASA_CACHE_DIRECTORY": str(work / "cache")})
    train_s = time.perf_counter() - started
    if trained.returncode != 0:
        raise rasa_command.RasaCommandError(trained.stdout[-2000:] + trained.stderr[-2000:])
    model = rasa_command.latest_model(models)
    if model is None:
        raise rasa_command.RasaCommandError(f"rasa train wrote no model into {models}")
    settings = replace(settings_module.from_environment(), var_dir=work / "var", rasa_url="")
    with Services(settings, model) as services:

        async def run() -> load.Result:
            async with load.RestTarget(services.rasa_url) as target:
                await load.closed_loop(target, 2, 6, "warm")
                return await load.closed_loop(target, 1, replies, "alone")

        result = asyncio.run(run())
        rasa_pid = next(
            pid
            for pid in cost._children(os.getpid())
            if b"rasa_extensions.command" in Path(f"/proc/{pid}/cmdline").read_bytes()
        )
        status = cost._status(rasa_pid)
    return {"train_s": train_s, "p50_ms": result.percentile(50), "p95_ms": result.percentile(95),
            "n": len(result.latencies_ms), "rss_mb": status.get("VmRSS", 0),
            "peak_mb": status.get("VmHWM", 0)}  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--scale", type=float, help="the encoder's scale, chosen by cross-validation"
    )
    parser.add_argument(
        "--skip-default", action="store_true", help="leave out Rasa's default pipeline"
    )
    parser.add_argument("--skip-serve", action="store_true", help="leave out the served assistant")
    parser.add_argument("--probe", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.probe:
        _probe(args.probe)
        return
    if args.scale is None:
        parser.error("--scale is required: choose it with python -m evaluation.cross_validation")
    variants = configs(args.scale)
    names = {"without": "(a) config.yml without the encoder",
             "with": f"(b) (a) + sentence encoder, scale {args.scale:g}"}  # fmt: skip
    rows: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        paths = {key: write(config, work / f"{key}.yml") for key, config in variants.items()}
        if not args.skip_default:
            paths["default"] = work / "default.yml"
            paths["default"].write_text(default_config_with_our_data(), encoding="utf-8")
            names["default"] = "(c) Rasa's default pipeline"
        for key, path in paths.items():
            print(f"training {names[key]}...", file=sys.stderr, flush=True)
            trained = rasa_command.train_nlu(path, ROOT / "nlu", work, key)
            rows[key] = {
                "scores": nlu.evaluate(trained.model),
                "train_s": trained.seconds,
                "probe": probe(trained.model),
            }
        if not args.skip_serve:
            for key in ("without", "with"):
                print(f"serving {names[key]}...", file=sys.stderr, flush=True)
                rows[key]["serve"] = serve(paths[key], work / f"serve-{key}")
    print(report(rows, names))


def report(rows: dict[str, dict], names: dict[str, str]) -> str:
    languages = LANGUAGES
    lines = [
        f"| pipeline | {' | '.join(f'{lang} macro-F1' for lang in languages)} | training |",
        "|---|" + "---|" * len(languages) + "---|",
    ]
    for key, row in rows.items():
        f1 = " | ".join(f"{row['scores'][lang]['intent_macro_f1']:.3f}" for lang in languages)
        lines.append(f"| {names[key]} | {f1} | {row['train_s']:.0f} s |")
    lines += [
        "",
        "| pipeline | model load | parse p50 | parse p95 | resident after | peak |",
        "|---|---|---|---|---|---|",
    ]
    for key, row in rows.items():
        p = row["probe"]
        lines.append(f"| {names[key]} | {p['load_s']:.1f} s | {p['p50_ms']:.1f} ms | {p['p95_ms']:.1f} ms | "
                     f"{p['rss_mb']} MB | {p['peak_mb']} MB |")  # fmt: skip
    served = {key: row["serve"] for key, row in rows.items() if "serve" in row}
    if served:
        lines += ["", "| whole assistant (rasa train, rasa run) | training | REST reply p50 | p95 | replies "
                      "| Rasa resident | Rasa peak |", "|---|---|---|---|---|---|---|"]  # fmt: skip
        for key, s in served.items():
            lines.append(f"| {names[key]} | {s['train_s']:.0f} s | {s['p50_ms']:.1f} ms | {s['p95_ms']:.1f} ms "
                         f"| {s['n']} | {s['rss_mb']} MB | {s['peak_mb']} MB |")  # fmt: skip
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
