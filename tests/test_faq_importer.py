"""The `faq` intent's examples come from content/faq.yml at training time
(rasa_extensions/faq_importer.py, declared in config.yml): a new way of
asking reaches the model with one `make train`, an edited answer never
changes what is trained, and a broken FAQ file never stops training."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml
from rasa.shared.importers.importer import TrainingDataImporter

from curated.content import load
from curated.reading import read_file
from rasa_extensions.faq_importer import FAQ_INTENT, FaqImporter

ROOT = Path(__file__).resolve().parent.parent


def faq_texts(training_data):
    return sorted(
        m.get("text") for m in training_data.intent_examples if m.get("intent") == FAQ_INTENT
    )


def importer(content_dir: Path) -> FaqImporter:
    return FaqImporter(training_data_paths=[str(ROOT / "nlu")], content_dir=str(content_dir))


def copy_of_content(tmp_path: Path) -> Path:
    return Path(shutil.copytree(ROOT / "content", tmp_path / "content"))


def test_the_project_trains_every_way_of_asking_as_the_faq_intent(content):
    training = TrainingDataImporter.load_from_config(
        str(ROOT / "config.yml"),
        str(ROOT / "domain.yml"),
        [str(ROOT / "nlu"), str(ROOT / "dialogue")],
    ).get_nlu_data()
    asked = sorted(q for e in content.faq for questions in e.questions.values() for q in questions)
    assert faq_texts(training) == asked and len(asked) >= 3 * 3 * len(content.faq)
    # The hand-written intents are all still there.
    assert {"ask_best_time", "out_of_scope", "greet"} <= training.intents


def test_an_edited_answer_trains_nothing_new_and_a_new_way_of_asking_does(tmp_path):
    directory = copy_of_content(tmp_path)
    before = importer(directory).get_nlu_data().fingerprint()
    path = directory / "faq.yml"
    text = path.read_text(encoding="utf-8")
    answer = "Les règles d'entrée dépendent de votre nationalité"
    assert answer in text
    path.write_text(
        text.replace(answer, "Les règles d'entrée changent selon votre pays"), encoding="utf-8"
    )
    assert importer(directory).get_nlu_data().fingerprint() == before

    question = '        - "Faut-il un visa pour venir ?"\n'
    assert question in text
    path.write_text(
        text.replace(question, question + '        - "un visa, c\'est obligatoire ?"\n'),
        encoding="utf-8",
    )
    data = importer(directory).get_nlu_data()
    assert data.fingerprint() != before
    assert "un visa, c'est obligatoire ?" in faq_texts(data)


def test_a_broken_faq_entry_is_left_out_and_the_others_are_trained(tmp_path):
    directory = copy_of_content(tmp_path)
    path = directory / "faq.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    broken = data["faq"][0]
    del broken["answer"]  # an editor forgot the answer
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    problems = load(directory).problems
    assert [p.field for p in problems] == ["faq.travel_documents.answer"]

    trained = faq_texts(importer(directory).get_nlu_data())
    assert broken["questions"]["fr"][0] not in trained
    assert data["faq"][1]["questions"]["zh"][0] in trained


def test_a_missing_faq_file_trains_the_rest(tmp_path):
    directory = copy_of_content(tmp_path)
    gone = {
        q
        for e in load(directory).faq
        if e.origin.file == "faq.yml"
        for qs in e.questions.values()
        for q in qs
    }
    (directory / "faq.yml").unlink()
    training = importer(directory).get_nlu_data()
    left = faq_texts(training)
    assert gone and not gone & set(left)
    assert left  # the FAQ entries of the other files are still trained
    assert "ask_prices" in training.intents


def test_without_any_faq_file_nothing_is_trained_as_faq(tmp_path):
    directory = copy_of_content(tmp_path)
    for path in directory.glob("*.yml"):
        if read_file(path).faq:
            path.unlink()
    training = importer(directory).get_nlu_data()
    assert faq_texts(training) == []
    assert "ask_prices" in training.intents


def test_no_held_out_faq_paraphrase_is_a_way_of_asking(content):
    # tests/faq_heldout.yml measures the FAQ (docs/faq.md): none of it may be trained on.
    heldout = yaml.safe_load((ROOT / "tests" / "faq_heldout.yml").read_text(encoding="utf-8"))
    paraphrases = {
        t.strip().lower()
        for languages in heldout["faq"].values()
        for texts in languages.values()
        for t in texts
    } | {t.strip().lower() for texts in heldout["none"].values() for t in texts}
    asked = {q.strip().lower() for e in content.faq for qs in e.questions.values() for q in qs}
    assert paraphrases and not paraphrases & asked
