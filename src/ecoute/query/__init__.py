"""Boolean listening queries: the language, the one matcher for all of them, and history.

See docs/queries.md for the language. Ingest calls ``compile_matcher(queries).tag(batch)``;
history goes through ``match_history``, ``preview`` and ``retag`` with the same semantics.
"""

from ecoute.query.history import History, Preview, match_history, preview, retag
from ecoute.query.matcher import Matcher, compile_matcher
from ecoute.query.syntax import QueryError, parse

__all__ = [
    "History",
    "Matcher",
    "Preview",
    "QueryError",
    "compile_matcher",
    "match_history",
    "parse",
    "preview",
    "retag",
]
