"""The store's value codec is DynamoDB's as boto3 writes and reads it: pinned to boto3's own
`TypeSerializer`/`TypeDeserializer` over any value the store keeps (the store converts values
itself only because importing boto3's converters imports all of boto3 at cold start)."""

from decimal import Decimal

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.store.codec import attribute, item, plain, value

# What the store keeps: text, whole numbers (DynamoDB's 38 digits), flags, lists and maps of them.
scalars = st.one_of(st.text(), st.booleans(), st.integers(min_value=-(10**38) + 1, max_value=10**38 - 1))
values = st.recursive(
    scalars, lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(), inner, max_size=4))
)


def as_plain(read: object) -> object:
    """boto3's reading with its Decimals as the store hands numbers out (whole ones as int)."""
    if isinstance(read, Decimal):
        return int(read) if read == read.to_integral_value() else float(read)
    if isinstance(read, list):
        return [as_plain(v) for v in read]
    if isinstance(read, dict):
        return {k: as_plain(v) for k, v in read.items()}
    return read


@given(values)
def test_a_value_is_written_as_boto3_writes_it_and_read_back_unchanged(kept):
    written = attribute(kept)
    assert written == TypeSerializer().serialize(kept)
    assert value(written) == kept


@given(values)
def test_what_boto3_wrote_is_read_as_boto3_reads_it(kept):
    written = TypeSerializer().serialize(kept)
    assert value(written) == as_plain(TypeDeserializer().deserialize(written))


@given(st.decimals(allow_nan=False, allow_infinity=False, places=3, min_value=-(10**9), max_value=10**9))
def test_a_number_with_a_fraction_reads_as_boto3_reads_it(number):
    written = {"N": str(number)}
    assert value(written) == as_plain(TypeDeserializer().deserialize(written))


@given(st.dictionaries(st.text(min_size=1), st.one_of(st.none(), values), max_size=6))
def test_an_item_leaves_out_what_is_none_and_reads_back(row):
    kept = {k: v for k, v in row.items() if v is not None}
    assert item(row) == {k: TypeSerializer().serialize(v) for k, v in kept.items()}
    assert plain(item(row)) == kept
