"""tantivy (PyPI `tantivy`, a dev dependency in the test extras) over the same records and queries
as SQLite FTS5 in bench/search_latency.py: the schema mirrors what FTS5 gets there.

    build(records, folder)        # a new index in folder (a temporary folder, never the repo)
    peer = TantivyPeer(folder)    # open it (a fresh process does only this before its first query)
    peer.search(kind, text, filters)   # top 20 by BM25 plus publisher/status/decade counts

Fields: the designation (tantivy's default tokenizer: lower-cased letters and digits, like FTS5's
unicode61), the English title (tantivy's English stemmer, `en_stem`, like FTS5's porter), the
Chinese title as character bigrams (see ZH_NOTE) and the facets publisher, status and decade as
raw fast fields, counted with a terms aggregation (`searcher.aggregate`).
"""
from __future__ import annotations

import re
from pathlib import Path

import tantivy

FACETS = ("publisher", "status", "decade")
ZH_TOKENIZER = "zh_bigram"
ZH_NOTE = ("tantivy has no Chinese segmenter: its Chinese title is indexed as character bigrams (an n-gram "
           "tokenizer, 2 to 2) and a Chinese query must contain every bigram of the query")


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("key", stored=True, tokenizer_name="raw")
    builder.add_text_field("designation", stored=True, tokenizer_name="default")
    builder.add_text_field("title_en", tokenizer_name="en_stem")
    builder.add_text_field("title_zh", tokenizer_name=ZH_TOKENIZER)
    for facet in FACETS:
        builder.add_text_field(facet, fast=True, tokenizer_name="raw", index_option="basic")
    return builder.build()


def _register(index: tantivy.Index) -> None:
    """Custom tokenizers are not stored in the index: every process registers them after opening."""
    index.register_tokenizer(ZH_TOKENIZER, tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.ngram(2, 2)).build())


def build(records, folder: Path) -> None:
    """Index the records in a new tantivy index in folder (one writer thread, like FTS5's one)."""
    folder.mkdir(parents=True, exist_ok=True)
    index = tantivy.Index(_schema(), path=str(folder), reuse=False)
    _register(index)
    writer = index.writer(heap_size=100_000_000, num_threads=1)
    for r in records:
        year = r.year or r.published[:4]
        fields = {"key": r.key or "", "designation": r.designation, "title_en": r.titles.get("en", ""),
                  "publisher": r.publisher or "", "status": r.status or "", "decade": year[:3] + "0s" if year else ""}
        if r.titles.get("zh"):
            fields["title_zh"] = r.titles["zh"]
        writer.add_document(tantivy.Document(**fields))
    writer.commit()
    writer.wait_merging_threads()


def count(folder: Path) -> int:
    """Documents in the index in folder, 0 when there is none."""
    if not (folder / "meta.json").exists():
        return 0
    return TantivyPeer(folder).searcher.num_docs


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


class TantivyPeer:
    """An opened tantivy index answering the query classes of bench/search_latency.py."""

    def __init__(self, folder: Path):
        self.index = tantivy.Index.open(str(folder))
        _register(self.index)
        self.schema = self.index.schema
        self.searcher = self.index.searcher()

    def _text_query(self, kind: str, text: str) -> tantivy.Query | None:
        must = tantivy.Occur.Must
        if kind == "Chinese":
            grams = [text[i:i + 2] for i in range(max(1, len(text) - 1))]
            return tantivy.Query.boolean_query([(must, tantivy.Query.term_query(self.schema, "title_zh", g)) for g in grams])
        if kind in ("designation", "prefix"):
            words = _words(text)
            if not words:
                return None
            parts = [(must, tantivy.Query.term_query(self.schema, "designation", w)) for w in words]
            if kind == "prefix":  # the last word is a prefix, as FTS5's "word"*
                parts[-1] = (must, tantivy.Query.regex_query(self.schema, "designation", re.escape(words[-1]) + ".*"))
            return tantivy.Query.boolean_query(parts)
        # words: every one in the designation or the (stemmed) English title, as FTS5's implicit AND
        return self.index.parse_query(" ".join(re.findall(r"\w+", text)), ["designation", "title_en"],
                                      conjunction_by_default=True)

    def search(self, kind: str, text: str, filters: dict | None) -> int:
        """Like fts_search: top 20 keys by BM25 and the facet counts (prefix: 8 designations, no facets)."""
        query = self._text_query(kind, text)
        if query is None:
            return 0
        if kind == "prefix":
            hits = self.searcher.search(query, 8, count=False).hits
            return len([self.searcher.doc(address)["designation"] for _score, address in hits])
        if filters:
            parts = [(tantivy.Occur.Must, query)]
            parts += [(tantivy.Occur.Must, tantivy.Query.term_set_query(self.schema, name, list(values)))
                      for name, values in filters.items()]
            query = tantivy.Query.boolean_query(parts)
        hits = self.searcher.search(query, 20, count=False).hits
        keys = [self.searcher.doc(address)["key"] for _score, address in hits]
        self.searcher.aggregate(query, {facet: {"terms": {"field": facet, "size": 1000}} for facet in FACETS})
        return len(keys)

    def close(self) -> None:
        self.searcher = self.index = None
