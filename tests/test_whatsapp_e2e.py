"""The WhatsApp channel end to end: signed deliveries as Meta sends them, the real
model, Rasa and the action server (fixture ``running``), the offline Graph API.
No test touches Meta."""

from __future__ import annotations

import pytest

from testkit.fake_graph_api import FakeGraphApi
from testkit.whatsapp_harness import RunningWhatsApp

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def api():
    server = FakeGraphApi().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def whatsapp(api, running, settings):
    # Rasa's first answer loads the model's lazy parts: on a busy machine, longer than
    # the 5 s after which a tourist is told to try again; what is tested here is the answer.
    channel = RunningWhatsApp(
        api, running.rasa_url, settings.var_dir, settings.content_dir, "e2e", rasa_timeout=60.0
    ).start()
    meta = channel.meta()
    yield meta
    meta.close()
    channel.stop()


def test_a_french_tourist_on_whatsapp_is_answered_in_french_from_the_content(api, whatsapp, content):  # fmt: skip
    whatsapp.send(whatsapp.message("33611223344", "comment monter à l'aiguille du midi ?"))
    [answer, *_] = api.wait_for_messages("33611223344", 1, timeout=60)
    assert content.places["aiguille_du_midi"].topics["getting_there"].text["fr"] in answer


def test_an_english_tourist_on_whatsapp_is_answered_in_english_from_the_content(api, whatsapp, content):  # fmt: skip
    wa_id = "447700900123"
    whatsapp.send(whatsapp.message(wa_id, "how do I get to La Feclaz from Chambery?"))
    api.wait_for_messages(wa_id, 1, timeout=60)
    assert content.places["bauges"].topics["getting_there"].text["en"] in "\n".join(
        api.texts(wa_id)
    )
