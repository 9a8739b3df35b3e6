"""The Telegram channel end to end: the real Application and the real model,
against the offline Bot API of testkit/fake_bot_api.py (fixtures ``bot_api`` and
``telegram_bot`` in conftest.py). No test touches Telegram."""

from __future__ import annotations

import datetime
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import replace

import pytest

from testkit.telegram_harness import BotCommand, RunningBot

pytestmark = pytest.mark.e2e

UNAVAILABLE_FR = "Le service est momentanément indisponible. Réessayez dans un instant, votre message a bien été reçu."


@pytest.fixture
def api(bot_api):
    return bot_api


@pytest.fixture
def bot(telegram_bot):
    return telegram_bot


@pytest.fixture(scope="module")
def own_services(settings, model, tmp_path_factory):
    """Rasa and the action server of the tests that stop or kill them (the session's stay up)."""
    from bot.services import Services

    with Services(replace(settings, var_dir=tmp_path_factory.mktemp("faults")), model) as services:
        yield services


def _answers_again(url, timeout=120):
    """Waits until ``url`` answers 200 again (a server started again by its supervisor)."""
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"{url} did not answer again within {timeout} s")


def test_start_greets_in_the_clients_language_with_destination_buttons(api, bot):
    api.push_message(101, "/start", language_code="zh-hans")
    [greeting] = api.wait_for_messages(101, 1)
    assert greeting.startswith("您好！")
    sent = api.sent(101)[0]
    assert sent["parse_mode"] == "HTML"
    titles = [row[0]["text"] for row in sent["reply_markup"]["inline_keyboard"]]
    assert titles[1] == "八达岭长城"


def test_start_in_an_unsupported_language_greets_in_english_and_offers_the_menu(api, bot):
    api.push_message(102, "/start", language_code="de")
    greeting, menu = api.wait_for_messages(102, 2)
    assert greeting.startswith("Hello!") and menu == "Choose your language:"
    choices = [b["callback_data"] for b in api.sent(102)[1]["reply_markup"]["inline_keyboard"][0]]
    assert choices == ["lang:fr", "lang:zh", "lang:en"]


def test_three_tourists_in_three_languages_at_once(api, bot, content):
    api.push_message(201, "comment monter à l'aiguille du midi ?", language_code="fr")
    api.push_message(202, "八达岭长城门票多少钱", language_code="zh-hans")
    api.push_message(203, "how do I get to La Feclaz from Chambery?", language_code="en")
    fr = api.wait_for_messages(201, 1)[0]
    zh = api.wait_for_messages(202, 1)[0]
    en = api.wait_for_messages(203, 1)[0]
    assert content.places["aiguille_du_midi"].topics["getting_there"].text["fr"] in fr
    assert content.places["badaling"].topics["prices"].text["zh"] in zh
    assert content.places["bauges"].topics["getting_there"].text["en"].replace("&", "&amp;") in en
    # Every message to each chat is in that chat's language, typing shown first.
    assert api.sent(201, "sendChatAction")


def test_pressing_a_button_answers_the_query_and_works_like_typing(api, bot, content):
    api.push_message(301, "/start", language_code="fr")
    api.wait_for_messages(301, 1)
    payload = api.sent(301)[0]["reply_markup"]["inline_keyboard"][2][0]["callback_data"]
    api.push_button(301, payload, language_code="fr")
    texts = api.wait_for_messages(301, 2)
    assert content.places["bauges"].topics["overview"].text["fr"].replace("'", "'") in texts[
        1
    ].replace("&#x27;", "'")
    assert api.sent(None, "answerCallbackQuery")


def test_the_language_menu_switches_the_language(api, bot):
    api.push_message(302, "/language", language_code="fr")
    assert api.wait_for_messages(302, 1)[0] == "Choisissez votre langue :"
    api.push_button(302, "lang:zh", language_code="fr")
    assert api.wait_for_messages(302, 2)[1] == "好的，我会用中文回答。"
    api.push_message(302, "ok", language_code="fr")
    assert "ok" not in api.wait_for_messages(302, 3)[2]  # answered, in Chinese, by the assistant


def test_the_command_menu_is_set_in_each_language_at_start_up(api, bot):
    commands = ["language", "offers", "events", "help"]
    assert [c for c, _ in api.commands["fr"]] == commands
    assert dict(api.commands["fr"])["offers"] == "Les offres du moment"
    assert dict(api.commands["zh"])["language"] == "切换语言"
    assert dict(api.commands["en"])["events"] == "Coming events"
    assert api.commands[""] == api.commands["en"]  # other clients: English


def test_the_offers_and_events_commands_answer_in_the_clients_language(api, bot, content):
    api.push_message(303, "/events", language_code="fr")
    now = datetime.datetime.now(datetime.timezone.utc)
    coming = [e for e in content.events if not e.is_over(now)]
    events = api.wait_for_messages(303, min(len(coming), 5))
    assert events[0].startswith("Événements à venir :\n📅 ")
    assert all("(dates : https://" in text for text in events)
    api.push_message(304, "/offers", language_code="zh-hans")
    [first, *_] = api.wait_for_messages(304, 1)
    assert first.startswith("当前的旅游优惠：")


@pytest.mark.parametrize(
    "content_field",
    [
        {
            "sticker": {
                "file_id": "s",
                "file_unique_id": "s",
                "width": 1,
                "height": 1,
                "is_animated": False,
                "is_video": False,
                "type": "regular",
            }
        },
        {"voice": {"file_id": "v", "file_unique_id": "v", "duration": 2}},
        {"photo": [{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}]},
        {"document": {"file_id": "d", "file_unique_id": "d"}},
        {"location": {"latitude": 45.9, "longitude": 6.87}},
    ],
    ids=["sticker", "voice", "photo", "document", "location"],
)
def test_non_text_messages_get_a_short_reply_in_the_users_language(api, bot, content_field):
    api.push_message(401, None, language_code="fr", **content_field)
    assert api.wait_for_messages(401, 1) == [
        "Je ne lis que les messages écrits. Posez-moi votre question en quelques mots !"
    ]


def test_groups_channel_posts_and_edits_are_left_in_silence(api, bot):
    api.push_message(-501, "bonjour", chat_type="group")
    api.push(
        {
            "channel_post": {
                "message_id": 1,
                "date": int(time.time()),
                "chat": {"id": -502, "type": "channel"},
                "text": "hi",
            }
        }
    )
    api.push(
        {
            "edited_message": {
                "message_id": 2,
                "date": int(time.time()),
                "edit_date": int(time.time()),
                "chat": {"id": 503, "type": "private"},
                "text": "edited",
            }
        }
    )
    api.push_message(
        504, "hello", language_code="en"
    )  # a marker: once answered, the rest was handled
    api.wait_for_messages(504, 1)
    assert api.sent(-501) == [] and api.sent(-502) == [] and api.sent(503) == []


def test_the_same_update_delivered_twice_is_answered_once(api, bot):
    update = api.push_message(601, "hello", language_code="en")
    api.push(dict(update))  # same update_id
    api.push_message(601, "thanks", language_code="en")
    api.wait_for_messages(601, 2)
    time.sleep(1.5)
    assert len(api.sent(601)) == 2


def test_markup_in_a_message_is_escaped_and_any_text_is_answered(api, bot):
    api.push_message(701, "<b>hi</b> & <script>alert(1)</script>", language_code="en")
    api.push_message(702, "\x00\x07" + "ça " * 3000, language_code="fr")
    api.push_message(703, "🏔️🏯👍", language_code="en")
    for chat in (701, 702, 703):
        reply = api.wait_for_messages(chat, 1)[0]
        assert reply and "<script>" not in reply and len(reply) <= 4096


def test_a_429_from_telegram_is_honoured_and_the_reply_still_arrives(api, bot):
    api.fail_next("sendMessage", times=1, retry_after=1)
    started = time.monotonic()
    api.push_message(801, "hello", language_code="en")
    [reply] = api.wait_for_messages(801, 1)
    assert reply.startswith("Hello!")
    attempts = [
        c for c in api.calls if c.method == "sendMessage" and str(c.params.get("chat_id")) == "801"
    ]
    assert [a.status for a in attempts] == [429, 200]
    assert attempts[1].at - attempts[0].at >= 1.0  # waited as Telegram asked
    assert time.monotonic() - started < 15


def test_a_network_error_while_sending_is_retried(api, bot):
    api.fail_next("sendMessage", times=2, status=502)
    api.push_message(851, "hello", language_code="en")
    assert api.wait_for_messages(851, 1)[0].startswith("Hello!")
    attempts = [
        c.status
        for c in api.calls
        if c.method == "sendMessage" and str(c.params.get("chat_id")) == "851"
    ]
    assert attempts == [502, 502, 200]


def test_every_message_and_reply_is_recorded_under_a_pseudonym(api, bot):
    api.push_message(901, "bonjour", language_code="fr")
    api.wait_for_messages(901, 1)
    turns = bot.log.turns()
    assert [(t["channel"], t["language"], t["text_in"], t["outcome"]) for t in turns] == [
        ("telegram", "fr", "bonjour", "answered")
    ]
    assert "901" not in turns[0]["user"] and turns[0]["replies"][0].startswith("Bonjour")
    assert turns[0]["latency_ms"] > 0


def test_the_action_server_killed_mid_conversation_is_started_again(api, own_services):
    runner = RunningBot(api, own_services.rasa_url, own_services.settings, "actions-killed").start()
    try:
        api.push_message(1301, "horaires du tramway du Mont-Blanc ?", language_code="fr")
        assert "Tramway du Mont-Blanc" in api.wait_for_messages(1301, 1)[0]

        own_services.process("actions").kill()
        api.push_message(1301, "comment aller à La Féclaz ?", language_code="fr")
        assert api.wait_for_messages(1301, 2)[1] == UNAVAILABLE_FR  # not silence
        assert (
            runner.log.turns()[-1]["outcome"] == "unavailable"
        )  # a failed turn, not an answered one

        _answers_again(f"http://127.0.0.1:{own_services.actions_port}/health")
        api.push_message(1301, "comment aller à La Féclaz ?", language_code="fr")
        assert "Féclaz" in api.wait_for_messages(1301, 3, timeout=60)[2]
    finally:
        runner.stop()


def test_rasa_killed_mid_conversation_is_started_again(api, own_services):
    # The tourist is told to try again (after RASA_TIMEOUT_SECONDS), the message is kept, and
    # answers resume once the supervisor has started Rasa again.
    runner = RunningBot(api, own_services.rasa_url, own_services.settings, "rasa-killed").start()
    try:
        api.push_message(1302, "horaires du tramway du Mont-Blanc ?", language_code="fr")
        assert "Tramway du Mont-Blanc" in api.wait_for_messages(1302, 1)[0]

        own_services.process("rasa").kill()
        api.push_message(1302, "comment aller à La Féclaz ?", language_code="fr")
        assert api.wait_for_messages(1302, 2)[1] == UNAVAILABLE_FR
        assert runner.log.turns()[-1]["outcome"] == "unavailable"

        _answers_again(f"{own_services.rasa_url}/")
        api.push_message(1302, "comment aller à La Féclaz ?", language_code="fr")
        assert "Féclaz" in api.wait_for_messages(1302, 3, timeout=60)[2]
    finally:
        runner.stop()


def _turns_since(path, since):
    """Turns written in the file itself since ``since``, as the review importer reads them."""
    try:
        reader = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return reader.execute(
                "SELECT count(*) FROM turns WHERE time >= ?", (since,)
            ).fetchone()[0]
        finally:
            reader.close()
    except sqlite3.Error:
        return 0


def _break_turn_log(path, fault):
    """Breaks the turn log file as an operator or a disk would; returns how to undo it."""
    if fault == "locked":  # another program holds its write lock
        holder = subprocess.Popen(
            [sys.executable, "-c",
             "import select, sqlite3, sys\n"
             "db = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
             "db.execute('BEGIN IMMEDIATE')\n"
             "print('locked', flush=True)\n"
             "select.select([sys.stdin], [], [], 120)\n",  # until released; a stuck test, 2 min
             str(path)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert holder.stdout.readline().strip() == "locked"

        def release() -> None:
            holder.communicate("\n", timeout=30)

        return release
    if fault == "read-only":  # chattr +i: read-only even for root
        files = [str(path), f"{path}-wal"]
        if not shutil.which("chattr") or subprocess.run(["chattr", "+i", *files]).returncode != 0:
            pytest.skip("chattr +i is not available here")
        return lambda: subprocess.run(["chattr", "-i", *files], check=True)
    for leftover in path.parent.glob(path.name + "*"):  # deleted
        leftover.unlink()
    return lambda: None


@pytest.mark.parametrize("fault", ["locked", "read-only", "deleted"])
def test_a_failing_turn_log_holds_no_chat_up_and_loses_no_turn(api, running, settings, fault):
    # That recording a turn never waits for its file: test_conversation_log.py.
    tag = f"log-{fault}"
    path = settings.var_dir / f"conversations-{tag}.db"  # the harness's turn log
    runner = RunningBot(api, running.rasa_url, settings, tag).start()
    try:
        api.push_message(1501, "hello", language_code="en")
        api.wait_for_messages(1501, 1)
        api.wait_for(lambda: _turns_since(path, 0) == 1)  # the file is there, with a turn
        broken_at = time.time()
        undo = _break_turn_log(path, fault)
        try:
            for chat in (1502, 1503):  # two chats, one after the other, while the file fails
                api.push_message(chat, "hello", language_code="en")
                assert api.wait_for_messages(chat, 1)[0].startswith("Hello")
            if fault != "deleted":  # answered while the turns could not be written
                assert _turns_since(path, broken_at) == 0
        finally:
            undo()
        api.wait_for(
            lambda: _turns_since(path, broken_at) == 2, timeout=20
        )  # written once it could be
    finally:
        runner.stop()


def test_a_bot_killed_after_answering_answers_nothing_twice_once_started_again(
    api, running, tmp_path
):
    bot = BotCommand(api, tmp_path, rasa_url=running.rasa_url).start()
    try:
        update = api.push_message(1401, "bonjour", language_code="fr")
        assert api.wait_for_messages(1401, 1)[0].startswith("Bonjour")
        api.wait_for(lambda: _answered(tmp_path / "deliveries.db") == 1)  # marked on disk
        bot.kill()
        bot.start()
        api.push(dict(update))  # Telegram delivers again an update it is not sure was handled
        api.push_message(1401, "merci", language_code="fr")
        api.wait_for_messages(1401, 2)
        time.sleep(1.5)
        assert len(api.sent(1401)) == 2
    finally:
        bot.stop()


def test_a_bot_killed_before_its_answer_went_out_answers_once_started_again(api, running, tmp_path):
    bot = BotCommand(api, tmp_path, rasa_url=running.rasa_url).start()
    try:
        api.stall("sendMessage")  # the answer does not get through...
        api.push_message(1402, "bonjour", language_code="fr")
        api.wait_for(
            lambda: any(
                c.method == "sendMessage" and c.params.get("chat_id") in (1402, "1402")
                for c in list(api.calls)
            )
        )
        bot.kill()  # ...and the bot is killed meanwhile
        api.unstall("sendMessage")
        bot.start()
        assert api.wait_for_messages(1402, 1)[0].startswith("Bonjour")
        time.sleep(1.5)
        assert len(api.sent(1402)) == 1
    finally:
        bot.stop()


def _answered(deliveries):
    """How many Telegram updates the store on disk marks answered."""
    try:
        reader = sqlite3.connect(f"file:{deliveries}?mode=ro", uri=True)
        try:
            return reader.execute(
                "SELECT count(*) FROM deliveries WHERE channel = 'telegram' AND answered_at IS NOT NULL"
            ).fetchone()[0]
        finally:
            reader.close()
    except sqlite3.Error:
        return 0


def _alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"  # a zombie is dead
    except FileNotFoundError:
        return False


@pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="children die with their parent on Linux"
)
def test_a_bot_killed_with_sigkill_leaves_no_process_behind(api, model, tmp_path):
    # Killed as soon as its own Rasa, action server and review app run (Rasa
    # still loading its model, the moment a deploy or an OOM kill is likeliest
    # to find); what runs after that is test_make_run_serves_telegram_...'s.
    bot = BotCommand(api, tmp_path).launch()
    children: list[int] = []
    deadline = time.monotonic() + 120
    while len(children) < 3 and time.monotonic() < deadline:
        time.sleep(0.2)
        children = [int(pid) for pid in subprocess.run(
            ["pgrep", "-P", str(bot.process.pid)], capture_output=True, text=True).stdout.split()]  # fmt: skip
    assert len(children) == 3
    bot.kill()
    deadline = time.monotonic() + 30
    while any(_alive(pid) for pid in children) and time.monotonic() < deadline:
        time.sleep(0.2)
    left = [pid for pid in children if _alive(pid)]
    for pid in left:
        os.kill(pid, signal.SIGKILL)  # what the test started, it stops
    bot.stop()
    assert left == []


def test_debug_logs_hold_neither_the_token_nor_chat_ids(api, running, tmp_path):
    chat = 987654321
    bot = BotCommand(api, tmp_path, rasa_url=running.rasa_url, LOG_LEVEL="DEBUG").start()
    try:
        api.push_message(chat, "bonjour", language_code="fr")
        api.push_button(chat, "lang:en", language_code="fr")
        api.wait_for_messages(chat, 2)
    finally:
        output = bot.stop()
    log = (tmp_path / "log" / "channels.log").read_text(encoding="utf-8")
    assert (
        " DEBUG " in log and "getUpdates" in log
    )  # what python-telegram-bot says at DEBUG is there
    assert api.token not in log and api.token not in output
    assert str(chat) not in log and str(chat) not in output


def test_webhook_mode_refuses_requests_without_the_secret_token(
    api, running, settings, reserve_port
):
    import json as jsonlib
    import urllib.error
    import urllib.request

    runner = RunningBot(api, running.rasa_url, settings, "webhook")
    runner.thread.start()
    port = reserve_port()

    async def start():
        await runner.application.initialize()
        await runner.application.start()
        await runner.application.updater.start_webhook(
            listen="127.0.0.1",
            port=port,
            url_path="telegram",
            secret_token="s3cret-token",
            webhook_url="https://assistant.example/telegram",
        )

    runner._run(start())
    try:
        assert api.sent(None, "setWebhook")[0]["secret_token"] == "s3cret-token"
        update = {
            "update_id": 77,
            "message": {
                "message_id": 1,
                "date": int(time.time()),
                "chat": {"id": 1101, "type": "private"},
                "from": {"id": 1101, "is_bot": False, "first_name": "T", "language_code": "en"},
                "text": "hello",
            },
        }

        def post(headers):
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/telegram",
                data=jsonlib.dumps(update).encode(),
                headers={"Content-Type": "application/json", **headers},
                method="POST",
            )
            try:
                return urllib.request.urlopen(request, timeout=10).status
            except urllib.error.HTTPError as error:
                return error.code

        assert post({}) == 403
        assert post({"X-Telegram-Bot-Api-Secret-Token": "wrong"}) == 403
        assert api.sent(1101) == []
        assert post({"X-Telegram-Bot-Api-Secret-Token": "s3cret-token"}) == 200
        assert api.wait_for_messages(1101, 1)[0].startswith("Hello!")
    finally:
        runner.stop()


def test_make_run_serves_telegram_through_any_bot_api_server(
    api, model, settings, tmp_path, reserve_port
):
    """`python -m bot run` (what `make run` starts) with TELEGRAM_API_BASE_URL set."""
    import signal
    import subprocess
    import sys

    from rasa_extensions.command import ROOT
    from rasa_extensions.command import environment as rasa_environment

    env = rasa_environment()
    review_port = reserve_port()
    env.update(
        TELEGRAM_BOT_TOKEN=api.token,
        TELEGRAM_API_BASE_URL=api.base_url,
        VAR_DIR=str(tmp_path),
        RASA_URL="",
        REVIEW_PORT=str(review_port),
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "run"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        api.wait_for(
            lambda: api.calls and any(c.method == "getUpdates" for c in api.calls), timeout=180
        )
        api.push_message(1201, "bonjour", language_code="fr")
        api.push_message(1202, "你好", language_code="zh-hans")
        api.push_message(1203, "hello", language_code="en")
        assert api.wait_for_messages(1201, 1)[0].startswith("Bonjour")
        assert api.wait_for_messages(1202, 1)[0].startswith("您好")
        assert api.wait_for_messages(1203, 1)[0].startswith("Hello")
        # The staff review app runs beside it, and shows nothing without a login.
        import urllib.request

        with urllib.request.urlopen(f"http://127.0.0.1:{review_port}/", timeout=10) as page:
            assert "login" in page.url
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=60)
    assert process.returncode == 0, output[-2000:]
    assert api.token not in output  # the token never reaches the logs
    leftover = subprocess.run(["pgrep", "-f", str(tmp_path)], capture_output=True, text=True)
    assert leftover.stdout.strip() == ""
    assert (tmp_path / "log" / "rasa.log").exists() and (tmp_path / "log" / "actions.log").exists()
    channel_log = (tmp_path / "log" / "channels.log").read_text(encoding="utf-8")
    assert api.token not in channel_log and "1201" not in channel_log  # no token, no chat id


def test_where_is_a_place_gets_its_map_links_and_a_location_pin(api, bot):
    api.push_message(1601, "c'est où le Brévent ?", language_code="fr")
    [text] = api.wait_for_messages(1601, 1)
    assert text.startswith("📍 Le Brévent : 45.9342, 6.8378")
    assert "https://www.openstreetmap.org/?mlat=45.9342&amp;mlon=6.8378" in text  # HTML mode
    api.wait_for(lambda: bool(api.sent(1601, "sendLocation")))
    [pin] = api.sent(1601, "sendLocation")
    assert (float(pin["latitude"]), float(pin["longitude"])) == (45.9342, 6.8378)


def test_a_place_without_coordinates_gets_no_pin_but_whom_to_ask(api, bot):
    api.push_message(1602, "箭扣长城在哪里？", language_code="zh-hans")
    [text] = api.wait_for_messages(1602, 1)
    assert text.startswith("我没有箭扣长城的确切位置。请咨询：")
    assert api.sent(1602, "sendLocation") == []
