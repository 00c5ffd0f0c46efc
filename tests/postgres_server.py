"""A real PostgreSQL server on loopback for the tests, started and stopped by them.

It uses the server binaries of the machine (Debian's ``postgresql`` package, which ``.ci/run`` installs
when missing; ``AICOST_TEST_PG_BINDIR`` overrides where they are). PostgreSQL refuses to run as root, so
under root the cluster belongs to the ``postgres`` system user the package creates.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.conftest import free_port


def _bindir() -> Path:
    configured = os.environ.get("AICOST_TEST_PG_BINDIR")
    if configured:
        return Path(configured)
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    raise RuntimeError("PostgreSQL server binaries not found: install Debian's postgresql (.ci/run does)")


@contextmanager
def postgres_server() -> Iterator[str]:
    """Runs a throwaway cluster in a new temporary folder; yields its connection string (trust auth, loopback).

    The folder is made directly under the system temporary directory (not a test's tmp_path, whose
    parents root keeps private), so the ``postgres`` user can reach it; it is removed afterwards.
    """
    bindir = _bindir()
    root = Path(tempfile.mkdtemp(prefix="aicost-pg-"))
    data, sockets, log = root / "data", root / "sockets", root / "server.log"
    sockets.mkdir(exist_ok=True)
    as_user: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(sockets, "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    port = free_port()

    def run(*args: str) -> None:
        done = subprocess.run([*as_user, *args], capture_output=True, text=True, cwd=root, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{Path(args[0]).name} failed: {done.stderr.strip() or done.stdout.strip()}")

    run(str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "aicost", "-E", "UTF8", "--no-sync")
    options = f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off"
    run(str(bindir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(log), "-w", "start")
    try:
        yield f"postgresql://aicost@127.0.0.1:{port}/postgres"
    finally:
        run(str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop")
        shutil.rmtree(root, ignore_errors=True)
