"""One tokenizer for French, English and Chinese in the same model.

Runs of Han characters are cut by jieba, with a user dictionary of place
names (``nlu/jieba/``) so "八达岭长城" stays in meaningful pieces; everything else is
split into words on anything that is not a letter or digit. Rasa's own
JiebaTokenizer would also turn every space of a French sentence into a token.
"""

from __future__ import annotations

import functools
import glob
import logging
import re
import shutil
from pathlib import Path
from typing import Any

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

import language.names
import language.text
from language.names import ENTITIES_FILE, Gazetteer, synonyms
from language.text import HAN_RUN
from rasa_extensions.fingerprint import source_fingerprint

logger = logging.getLogger(__name__)

_WORD = re.compile(r"[^\W_]+", re.UNICODE)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=True)
class MultilingualTokenizer(Tokenizer):
    """jieba for Han runs, word characters for the rest."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "dictionary_path": None,
            # Replace place names by one token, so that "how to get to X" is
            # learnt once for every X (ids listed in keep_names stay words).
            "mask_names": False,
            "keep_names": [],
            "intent_tokenization_flag": False,
            "intent_split_symbol": "_",
            "token_pattern": None,
            "prefix_separator_symbol": None,
        }

    def __init__(
        self, config: dict[str, Any], model_storage: ModelStorage, resource: Resource
    ) -> None:
        super().__init__(config)
        self._model_storage = model_storage
        self._resource = resource

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        dictionaries = glob.glob(f"{config.get('dictionary_path') or '.'}/*.txt")
        here = Path(__file__).resolve()
        return source_fingerprint(
            here,
            Path(language.names.__file__),
            Path(language.text.__file__),
            ENTITIES_FILE,
            *map(Path, dictionaries),
        )

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> MultilingualTokenizer:
        if config.get("dictionary_path"):
            _load_dictionaries(config["dictionary_path"])
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> MultilingualTokenizer:
        # The dictionaries travel inside the model, so a model runs anywhere.
        try:
            with model_storage.read_from(resource) as directory:
                _load_dictionaries(str(directory))
        except ValueError:
            logger.debug("No jieba dictionary stored with the model.")
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        source: str | None = self._config.get("dictionary_path")
        if source:
            with self._model_storage.write_to(self._resource) as directory:
                for path in glob.glob(f"{source}/*.txt"):
                    shutil.copy2(path, Path(directory))
        return self._resource

    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        text = message.get(attribute) or ""
        tokens = tokenize(text)
        if self._config.get("mask_names") and attribute == TEXT:
            tokens = mask(tokens, text, _names(tuple(self._config.get("keep_names") or ())))
        return self._apply_token_pattern(tokens)


def tokenize(text: str) -> list[Token]:
    """Tokens of ``text`` with their character offsets."""
    import jieba

    tokens: list[Token] = []
    position = 0
    for han in HAN_RUN.finditer(text):
        tokens.extend(_words(text[position : han.start()], position))
        for word, start, _end in jieba.tokenize(han.group()):
            tokens.append(Token(word, han.start() + start))
        position = han.end()
    tokens.extend(_words(text[position:], position))
    if not tokens and text.strip():
        # Only emoji or punctuation ("👍", "???"): one token for all of it, so
        # the classifier gets a message to classify rather than nothing.
        stripped = text.strip()
        tokens.append(Token(stripped, text.index(stripped)))
    return tokens


NAME_TOKEN = "xnamex"


def mask(tokens: list[Token], text: str, names: Gazetteer) -> list[Token]:
    """Tokens inside a known name replaced by one NAME_TOKEN."""
    spans = [(f["start"], f["end"]) for f in names.find(text)]
    if not spans:
        return tokens
    out: list[Token] = []
    for token in tokens:
        span = next(
            (s for s in spans if s[0] <= token.start < s[1] or s[0] < token.end <= s[1]), None
        )
        if span is None:
            out.append(token)
        elif not out or out[-1].text != NAME_TOKEN or out[-1].start != span[0]:
            out.append(Token(NAME_TOKEN, span[0], span[1]))
    return out


@functools.lru_cache(maxsize=4)
def _names(keep: tuple) -> Gazetteer:
    return Gazetteer.from_pairs(
        (form, "name", value) for form, value in synonyms().items() if value not in keep
    )


def _words(text: str, offset: int) -> list[Token]:
    return [Token(m.group(), offset + m.start()) for m in _WORD.finditer(text)]


def _load_dictionaries(path: str) -> None:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    for dictionary in sorted(glob.glob(f"{path}/*.txt")):
        # jieba leaves a file it opened itself open: it reads ours, which we close.
        with open(dictionary, "rb") as words:
            jieba.load_userdict(words)
