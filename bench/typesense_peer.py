"""The Typesense server a benchmark measures: the cluster named by the environment, or one
started here on loopback for the run (Typesense 0.24.1 from the test extras).

    nodes = use_typesense(collection="bench")   # sets CATALOGUE_SEARCH=typesense and the rest
    server_rss_mb(nodes)                        # resident memory of the servers we started
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path


def use_typesense(collection: str, data_dir: Path | None = None) -> list:
    """Point the catalogue at Typesense; start a server when no nodes are configured. Returns
    the nodes started here (empty when the environment names a cluster)."""
    from index.typesense_server import start_nodes

    os.environ["CATALOGUE_SEARCH"] = "typesense"
    os.environ.setdefault("CATALOGUE_TYPESENSE_COLLECTION", collection)
    if os.environ.get("CATALOGUE_TYPESENSE_NODES"):
        return []
    root = data_dir or Path(tempfile.mkdtemp(prefix="bench-typesense-"))
    nodes = start_nodes(root, 1, api_key="bench")
    os.environ["CATALOGUE_TYPESENSE_NODES"] = nodes[0].url
    os.environ["CATALOGUE_TYPESENSE_API_KEY"] = nodes[0].api_key
    return nodes


def server_rss_mb(nodes) -> list[tuple[int, int]]:
    """(resident MB now, peak MB) of each server process started by :func:`use_typesense`."""
    out = []
    for node in nodes:
        found = {}
        with open(f"/proc/{node.process.pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(("VmRSS:", "VmHWM:")):
                    found[line.split(":")[0]] = int(line.split()[1]) // 1024
        out.append((found.get("VmRSS", 0), found.get("VmHWM", 0)))
    return out


def stop(nodes) -> None:
    for node in nodes:
        node.stop()
