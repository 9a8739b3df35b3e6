"""Real servers from Debian's packages for the tests (Redis, PostgreSQL), on loopback, in temporary folders.

Each keeps its port reserved (bot.services.ReservedPort) from creation to
``remove``, so a server stopped and started again finds its port free and no
other server of the run is given it.

``scripts/system-packages.sh`` (run by ``make test``) installs them; a test
that needs one fails with the apt-get line when it is missing.
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from bot.services import ReservedPort


def _wait_for_port(port: int, what: str, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{what} did not start on port {port}")


class RedisServer:
    """``redis-server`` without persistence on a free port; ``stop``/``start`` as often as
    needed, ``remove`` at the end."""

    def __init__(self, folder: Path) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError(
                "redis-server is missing: apt-get install -y --no-install-recommends redis-server"
            )
        self.binary: str = binary
        self.folder = folder
        self._reserved = ReservedPort()
        self.port = self._reserved.port
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_for_port(self.port, "redis-server")
        return self

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def remove(self) -> None:
        """Stops it for good and lets its port go."""
        self.stop()
        self._reserved.release()


class PostgresServer:
    """A PostgreSQL cluster of its own on a free loopback port, trusted local logins, no fsync.

    PostgreSQL refuses to run as root: as root, the cluster belongs to Debian's
    ``postgres`` user and lives in a folder of its own under the system's
    temporary folder (pytest's are closed to other users). ``stop``/``start``
    as often as needed (a restart keeps the data); ``remove`` deletes it.
    """

    def __init__(self) -> None:
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        bin_dir = Path(found[-1]).parent if found else None
        if bin_dir is None and shutil.which("initdb"):
            bin_dir = Path(shutil.which("initdb") or "").parent
        if bin_dir is None:
            raise RuntimeError(
                "PostgreSQL is missing: apt-get install -y --no-install-recommends postgresql"
            )
        self.bin_dir = bin_dir
        self.user = "postgres" if os.geteuid() == 0 else None
        self.folder = Path(tempfile.mkdtemp(prefix="tourism-postgres-"))
        self.data = self.folder / "data"
        self._reserved = ReservedPort()
        self.port = self._reserved.port
        self.process: subprocess.Popen | None = None
        if self.user:
            shutil.chown(self.folder, self.user)
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name)
        return self.url(name)

    def start(self) -> PostgresServer:
        self.process = subprocess.Popen(
            [
                str(self.bin_dir / "postgres"), "-D", str(self.data), "-p", str(self.port),
                "-c", "listen_addresses=127.0.0.1", "-c", f"unix_socket_directories={self.folder}",
                "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
            ],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, user=self.user,
        )  # fmt: skip
        _wait_for_port(self.port, "postgres")
        return self

    def stop(self) -> None:
        """A fast shutdown: open connections are cut, as when a database server restarts."""
        if self.process is not None:
            self.process.send_signal(signal.SIGINT)  # SIGTERM would wait for every client
            self.process.wait(timeout=20)
            self.process = None

    def remove(self) -> None:
        self.stop()
        self._reserved.release()
        shutil.rmtree(self.folder, ignore_errors=True)

    def _run(self, program: str, *args: str) -> None:
        subprocess.run(
            [str(self.bin_dir / program), *args],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, user=self.user,
        )  # fmt: skip
