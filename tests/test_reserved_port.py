"""Ports for the servers started beside the assistant and in tests: a port
chosen free stays out of everyone else's reach until let go."""

from __future__ import annotations

import socket
import sys

import pytest

from bot.services import ReservedPort

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="the reservation holds on Linux only"
)


def test_a_reserved_port_is_never_handed_out_as_a_free_port():
    with ReservedPort() as reserved:
        handed_out = set()
        for _ in range(3000):
            with socket.socket() as probe:
                probe.bind(("127.0.0.1", 0))
                handed_out.add(probe.getsockname()[1])
        assert reserved.port not in handed_out
        with socket.socket() as intruder, pytest.raises(OSError):
            intruder.bind(("127.0.0.1", reserved.port))


def test_the_server_it_is_for_listens_on_it_and_again_after_a_restart():
    with ReservedPort() as reserved:
        for _restart in range(2):
            with socket.socket() as server:  # as aiohttp, Sanic, Redis and PostgreSQL bind
                server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                server.bind(("127.0.0.1", reserved.port))
                server.listen()
                with socket.create_connection(("127.0.0.1", reserved.port), timeout=5):
                    pass


def test_once_let_go_the_port_is_free_for_anyone():
    reserved = ReservedPort()
    reserved.release()
    with socket.socket() as anyone:
        anyone.bind(("127.0.0.1", reserved.port))
