"""The action server (``python -m actions.server --port 5055``): rasa-sdk's own
server, after the actions have built what they otherwise build on the first
message (place names, the evidence words learnt from nlu/, jieba's dictionary,
the content, its FAQ index and its passages' search: seconds on a busy
machine; the passages' vectors are encoded in the background, or read from
``--vectors-dir`` where an earlier start kept them).

Without this, the first tourist after a start could wait past Rasa's timeout
and read "try again". The server answers its health check only once this is
done, so ``bot/services.py`` waits for it before it calls the assistant ready.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from rasa_sdk.__main__ import main_from_args
from rasa_sdk.endpoint import create_argument_parser


def warm_up(vectors_dir: Path | None = None) -> float:
    """Builds the actions' caches; returns the seconds it took."""
    from actions import faq, grounding, retrieval
    from curated import live
    from language import meaning

    started = time.perf_counter()
    if vectors_dir is not None:
        meaning.keep_in(vectors_dir)
    content = live.current()
    grounding.markers()
    grounding.entry_markers(tuple(content.faq))
    grounding.words("Chamonix 长城门票多少钱")
    faq.index_of(content)
    retrieval.index_of(content).encode_in_background()
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> None:
    parser = create_argument_parser()
    parser.add_argument(
        "--vectors-dir",
        type=Path,
        help="keep the content's sentence vectors here between starts (make run: models/)",
    )
    args = parser.parse_args(argv)
    if not args.actions:
        args.actions = "actions"
    seconds = warm_up(args.vectors_dir)
    print(
        f"Actions ready in {seconds:.1f} s; starting the action server.",
        file=sys.stderr,
        flush=True,
    )
    main_from_args(args)


if __name__ == "__main__":
    main()
