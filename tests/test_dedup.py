"""The delivery store: a platform message is answered once, across restarts,
and one received but not answered before a crash is answered after it."""

from __future__ import annotations

from bot.core.dedup import MAX_ATTEMPTS, DedupStore


def test_a_message_received_twice_is_new_only_the_first_time(tmp_path):
    store = DedupStore(tmp_path / "deliveries.db")
    assert store.receive("telegram", "424242:7", "{}") is True
    assert store.receive("telegram", "424242:7", "{}") is False
    assert store.receive("wechat", "424242:7", "{}") is True  # each channel has its own ids


def test_what_was_answered_stays_answered_after_a_restart(tmp_path):
    store = DedupStore(tmp_path / "deliveries.db")
    store.receive("telegram", "1:7", '{"update_id": 7}')
    store.answered("telegram", "1:7")
    store.close()
    store = DedupStore(tmp_path / "deliveries.db")
    assert store.receive("telegram", "1:7", '{"update_id": 7}') is False
    assert store.is_answered("telegram", "1:7")
    assert store.unanswered("telegram") == ([], [])


def test_what_was_received_but_not_answered_is_handed_back_after_a_restart(tmp_path):
    store = DedupStore(tmp_path / "deliveries.db")
    store.receive("telegram", "1:8", '{"update_id": 8}')
    store.close()
    store = DedupStore(tmp_path / "deliveries.db")
    assert store.unanswered("telegram") == ([("1:8", '{"update_id": 8}')], [])


def test_a_message_that_never_gets_answered_is_given_up(tmp_path):
    store = DedupStore(tmp_path / "deliveries.db")
    store.receive("telegram", "1:9", '{"update_id": 9}')
    for _ in range(MAX_ATTEMPTS):
        assert store.unanswered("telegram")[0] == [("1:9", '{"update_id": 9}')]
    assert store.unanswered("telegram") == ([], ["1:9"])
    assert store.unanswered("telegram") == ([], [])
