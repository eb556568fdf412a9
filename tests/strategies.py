"""Hypothesis strategies the property tests share."""

from __future__ import annotations

from hypothesis import strategies as st

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
