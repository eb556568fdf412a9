"""Hypothesis strategies the property tests share."""

from __future__ import annotations

import os

from hypothesis import strategies as st

# `make check`, the quick loop, runs every property test with a fifth of its examples
# (EXAMPLES_SCALE=0.2); `make test` runs them all.
EXAMPLES_SCALE = float(os.environ.get("EXAMPLES_SCALE", "1"))


def examples(count: int) -> int:
    """`count` examples, scaled for the quick loop."""
    return max(1, round(count * EXAMPLES_SCALE))


CONTENT_TYPES = st.one_of(
    st.sampled_from(
        [
            "application/json",
            "application/json; charset=utf-8",
            "application/json; charset=latin-1",
            "application/x-www-form-urlencoded",
            "application/x-www-form-urlencoded; charset=UTF-8",
            "multipart/form-data; boundary=XyZ",
            "multipart/form-data",
            "text/plain",
            "application/vnd.api+json",
            "application/x-www-form-urlencoded; charset=base64",
            "multipart/form-data; boundary=XyZ; charset=rot13",
            "application/json; charset=punycode",
            "application/x-www-form-urlencoded; charset=undefined",
            "",
        ]
    ),
    st.text(max_size=80),
    st.none(),
)
