"""A stable fingerprint of what a post says, to tell an edit from a replay."""

from __future__ import annotations

from hashlib import blake2b

import msgspec

from ecoute.model import Mention

_encode = msgspec.msgpack.Encoder().encode


def content_hash(m: Mention) -> int:
    """Return a 64-bit hash of the fields a network can change; not ``collected_at``.

    Python's own ``hash`` of a string changes from one process to the next, so
    it cannot tell whether a re-imported post differs from the stored one.
    """
    a = m.author
    fields = (
        m.text, m.url, m.likes, m.reposts, m.replies, m.views, m.thread_id, m.parent_id,
        a.native_id, a.name, a.followers, m.lang if m.lang_by == "source" else None,
    )  # fmt: skip
    return int.from_bytes(blake2b(_encode(fields), digest_size=8).digest(), "little")
