"""German and English texts stay in step."""

import string

from chalicelib.texts import de, en


def test_both_languages_have_the_same_keys():
    assert set(de.TEXTS) == set(en.TEXTS)


def test_both_languages_use_the_same_placeholders():
    fields = lambda t: {name for _, name, _, _ in string.Formatter().parse(t) if name}  # noqa: E731
    assert {k: fields(v) for k, v in de.TEXTS.items()} == {k: fields(v) for k, v in en.TEXTS.items()}
