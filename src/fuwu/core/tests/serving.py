"""Run the real server in a child process, make one request, and return what it logged."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def log_of_one_request(command: list[str], port: int, path: str, env: dict[str, str], log: Path) -> str:
    """`fuwu <command>` listening on `port`: GET `path` once it answers, stop it, return its output."""
    with log.open("w") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "fuwu.cli", *command], stdout=out, stderr=subprocess.STDOUT, env=env
        )
        try:
            deadline = time.monotonic() + 90  # a loaded CI machine can take long to start a server
            while True:
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5)
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.2)
            time.sleep(0.3)  # the access line is written after the answer
        finally:
            server.terminate()
            server.wait(timeout=10)
    return log.read_text()
