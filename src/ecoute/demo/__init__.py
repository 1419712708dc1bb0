"""The bundled demo: a deterministic month of social posts about invented brands.

`generate` yields the replay as records of Écoute's JSONL import format,
`write_jsonl` writes them to a file, `DEMO_QUERIES` are the queries that
listen to it, and `STORYLINE` (with `CRISIS`, `PALM_OIL`, `ECO_PACKAGING`)
says what happens when. See docs/demo.md.
"""

from ecoute.demo.replay import generate, write_jsonl
from ecoute.demo.storyline import CRISIS, ECO_PACKAGING, PALM_OIL, STORYLINE, Beat, Episode
from ecoute.demo.vocabulary import BRANDS, DEMO_QUERIES, Brand

__all__ = [
    "BRANDS",
    "CRISIS",
    "DEMO_QUERIES",
    "ECO_PACKAGING",
    "PALM_OIL",
    "STORYLINE",
    "Beat",
    "Brand",
    "Episode",
    "generate",
    "write_jsonl",
]
