"""Free search text as a PostgreSQL ``tsquery`` expression, for the PostgreSQL backend.

The search box accepts what the Whoosh backend accepts: words (all must match), quoted
phrases, ``AND``, ``OR``, ``NOT`` (upper case) and parentheses. ``parse_text`` reads that
into a small tree; ``compile_tsquery`` turns the tree into one SQL expression for one
text-search configuration, every word and phrase passing through PostgreSQL's own parser
(``plainto_tsquery`` / ``phraseto_tsquery``) as a bound parameter, so stemming and stop
words follow the configuration and nothing typed is ever spliced into SQL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, literal, literal_column
from sqlalchemy.sql.elements import ColumnElement

_TOKEN_RE = re.compile(r'"(?P<phrase>[^"]*)"?|(?P<open>\()|(?P<close>\))|(?P<word>[^\s"()]+)')
_OPERATORS = {"AND", "OR", "NOT"}
_CONFIG_RE = re.compile(r"^[a-z_]+$")
# Deeper nesting than this is not a search anyone types; it is refused as plain words.
MAX_DEPTH = 20


@dataclass(frozen=True)
class Words:
    """Text matched as separate words (``phrase=False``) or as a phrase, in order."""

    text: str
    phrase: bool = False


@dataclass(frozen=True)
class Op:
    """``kind`` is "and", "or" or "not" (one part)."""

    kind: str
    parts: tuple[Node, ...]


Node = Words | Op


def parse_text(text: str) -> Node | None:
    """The tree of ``text``; None when nothing searchable is left (only operators)."""
    tokens: list[tuple[str, str]] = []
    for match in _TOKEN_RE.finditer(text):
        if match.group("phrase") is not None:
            if match.group("phrase").strip():
                tokens.append(("phrase", match.group("phrase").strip()))
        elif match.group("open"):
            tokens.append(("(", ""))
        elif match.group("close"):
            tokens.append((")", ""))
        elif match.group("word") in _OPERATORS:
            tokens.append((match.group("word"), ""))
        else:
            tokens.append(("word", match.group("word")))
    return _Parser(tokens).parse()


class _Parser:
    """or := and (OR and)* ; and := unary ((AND)? unary)* ; unary := NOT unary | atom ;
    atom := word | phrase | "(" or ")". Unbalanced parentheses and stray operators are
    forgiven, as a search box should."""

    def __init__(self, tokens: list[tuple[str, str]]):
        self.tokens = tokens
        self.at = 0
        self.depth = 0

    def _peek(self) -> str | None:
        return self.tokens[self.at][0] if self.at < len(self.tokens) else None

    def parse(self) -> Node | None:
        parts = []
        while self._peek() is not None:
            node = self._or()
            if node is not None:
                parts.append(node)
            elif self._peek() is not None:
                self.at += 1  # a stray ")" or operator
        return _join("and", parts)

    def _or(self) -> Node | None:
        parts = [self._and()]
        while self._peek() == "OR":
            self.at += 1
            parts.append(self._and())
        return _join("or", [part for part in parts if part is not None])

    def _and(self) -> Node | None:
        parts = []
        while self._peek() not in (None, ")", "OR"):
            if self._peek() == "AND":
                self.at += 1
                continue
            node = self._unary()
            if node is not None:
                parts.append(node)
        return _join("and", parts)

    def _unary(self) -> Node | None:
        kind = self._peek()
        if kind == "NOT":
            self.at += 1
            inner = self._unary() if self._peek() not in (None, ")", "OR") else None
            return Op("not", (inner,)) if inner is not None else None
        value = self.tokens[self.at][1]
        self.at += 1
        if kind == "word":
            return Words(value)
        if kind == "phrase":
            return Words(value, phrase=True)
        if kind == "(":
            if self.depth >= MAX_DEPTH:
                return None
            self.depth += 1
            inner = self._or()
            self.depth -= 1
            if self._peek() == ")":
                self.at += 1
            return inner
        return None  # "AND" handled by the caller; anything else is dropped


def _join(kind: str, parts: list[Node]) -> Node | None:
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else Op(kind, tuple(parts))


def has_positive_terms(node: Node) -> bool:
    """Whether ``node`` can match anything by itself (a lone ``NOT x`` cannot)."""
    if isinstance(node, Words):
        return True
    if node.kind == "not":
        return False
    if node.kind == "or":
        return all(has_positive_terms(part) for part in node.parts)
    return any(has_positive_terms(part) for part in node.parts)


def compile_tsquery(node: Node, config: str) -> ColumnElement:
    """``node`` as a ``tsquery`` SQL expression analysed with ``config`` (e.g. "french").

    Uses the functions behind the ``&&``, ``||`` and ``!!`` operators; a word that is only a
    stop word becomes an empty query, which ``&&`` and ``||`` simply drop. The configuration
    is written into the statement as a ``regconfig`` constant (it is one of PostgreSQL's
    names, never typed text), so that, the words being parameters, the planner folds the
    whole expression into a constant query: analysed once, and known to the statistics.
    """
    if isinstance(node, Words):
        if not _CONFIG_RE.match(config):
            raise ValueError(f"bad text search configuration {config!r}")
        make = func.phraseto_tsquery if node.phrase else func.plainto_tsquery
        return make(literal_column(f"'{config}'::regconfig"), literal(node.text))
    parts = [compile_tsquery(part, config) for part in node.parts]
    if node.kind == "not":
        return func.tsquery_not(parts[0])
    combine = func.tsquery_and if node.kind == "and" else func.tsquery_or
    joined = parts[0]
    for part in parts[1:]:
        joined = combine(joined, part)
    return joined
