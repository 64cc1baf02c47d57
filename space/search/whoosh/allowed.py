"""Who may find what, for the Whoosh backend: per segment, which documents have an acl
principal or a type, as bitmaps kept in memory, and a collector that hands on only the
matches the asker may find.

Checked this way rather than as clauses of the query, a search no longer intersects the
words' matches with the 90,000 postings of "public" (and those of every type) match by match:
at 100,000 documents that was most of a search.
"""

from __future__ import annotations

from whoosh import collectors
from whoosh.reading import TermNotFound


class SegmentBitmaps:
    """The documents of each segment by (field, term), computed on first use and kept while
    the segment lives: a segment never changes once written (deletions aside, and deleted
    documents never match). Threads may share it."""

    def __init__(self):
        # {segment id: {(field, term): its documents}}, see term_docs.
        self._docs: dict[str | None, dict[tuple[str, str], bytes | frozenset[int]]] = {}

    def forget_all_but(self, searcher) -> None:
        """Drop what was kept for segments ``searcher`` no longer has (merged away)."""
        live = {_segment_id(reader) for reader, _ in searcher.reader().leaf_readers()}
        for gone in set(self._docs) - live:
            self._docs.pop(gone, None)

    def term_docs(self, reader, field: str, term: str) -> bytes | frozenset[int]:
        """The documents of ``reader`` (one segment) with ``term`` in ``field``: a bitmap
        (one byte per document) when they are many, else a set. Kept until the segment is
        merged away: a segment never changes, deletions aside, and deleted documents never
        match anyway."""
        cached = self._docs.setdefault(_segment_id(reader), {})
        found = cached.get((field, term))
        if found is None:
            try:
                docs = list(reader.postings(field, term).all_ids())
            except TermNotFound:
                docs = []
            size = reader.doc_count_all()
            if len(docs) * 16 < size:
                found = frozenset(docs)
            else:
                bits = bytearray(size)
                for docnum in docs:
                    bits[docnum] = 1
                found = bytes(bits)
            cached[(field, term)] = found
        return found

    def any_of(self, reader, field: str, terms) -> bytes:
        """A bitmap of the documents of ``reader`` with any of ``terms`` in ``field``."""
        size = reader.doc_count_all()
        parts = [self.term_docs(reader, field, term) for term in terms]
        dense = [part for part in parts if isinstance(part, bytes)]
        sparse = [part for part in parts if not isinstance(part, bytes) and part]
        if len(dense) == 1 and not sparse:
            return dense[0]
        union = bytearray(_or(dense, size) if dense else size)
        for docs in sparse:
            for docnum in docs:
                union[docnum] = 1
        return union

    def allowed(self, reader, acl, types) -> bytes | bytearray | None:
        """A bitmap of the documents of ``reader`` the asker may find: with one of the
        principals ``acl`` (None: all) and of one of ``types`` (None: all); None for all."""
        parts = []
        if acl is not None:
            parts.append(self.any_of(reader, "acl", acl))
        if types is not None:
            present = {term.decode() for term in reader.lexicon("type")}
            if not present <= set(types):
                parts.append(self.any_of(reader, "type", types))
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else _and(parts, reader.doc_count_all())


def _segment_id(reader) -> str | None:
    segment = reader.segment()  # None in an index without segments
    return None if segment is None else segment.segment_id()


def _or(bitmaps: list[bytes], size: int) -> bytes:
    # Bytes are 0 or 1, so the bitwise or of the numbers they make is their bytewise or.
    union = 0
    for bitmap in bitmaps:
        union |= int.from_bytes(bitmap, "little")
    return union.to_bytes(size, "little")


def _and(bitmaps: list, size: int) -> bytes:
    both = int.from_bytes(bitmaps[0], "little")
    for bitmap in bitmaps[1:]:
        both &= int.from_bytes(bitmap, "little")
    return both.to_bytes(size, "little")


class Allowed(collectors.WrappingCollector):
    """Hands ``child`` only the matches the asker may find (``SegmentBitmaps.allowed``), and
    counts them."""

    def __init__(self, child, bitmaps: SegmentBitmaps, acl, types):
        super().__init__(child)
        self.bitmaps, self.acl, self.types = bitmaps, acl, types
        self.passed = 0

    def set_subsearcher(self, subsearcher, offset):
        super().set_subsearcher(subsearcher, offset)
        self.bits = self.bitmaps.allowed(subsearcher.reader(), self.acl, self.types)

    def collect_matches(self):
        bits, collect, passed = self.bits, self.child.collect, 0
        for docnum in self.child.matches():
            if bits is None or bits[docnum]:
                passed += 1
                collect(docnum)
        self.passed += passed

    def count(self, whole, limit: int) -> int:
        """How many documents match, counted up to ``limit``. The top-N collector skips
        what cannot make the page (blocks, or documents that match only the body once the
        page is full of title matches); then what it saw is only a lower bound, and the
        matches are counted again, up to ``limit``."""
        if self.child.computes_count() or self.passed >= limit:
            return self.passed
        counted = 0
        for subsearcher, _offset in self.top_searcher.leaf_searchers():
            bits = self.bitmaps.allowed(subsearcher.reader(), self.acl, self.types)
            for docnum in whole.matcher(subsearcher).all_ids():
                if bits is None or bits[docnum]:
                    counted += 1
                    if counted >= limit:
                        return counted
        return counted
