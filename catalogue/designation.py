"""The designation grammar (being written: see the brief in the session notes)."""
