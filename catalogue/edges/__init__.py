"""The edges' wiring: where the store, ``index/`` and ``ingest/`` meet (DESIGN.md, Layers)."""
