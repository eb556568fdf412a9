"""moto's table Query, answered from the queried partition.

moto 5.2.5 answers every page of a Query by listing and sorting the whole table, then
keeping the partition's items: an export, or a look at an event's waiting list, cost
every row of every event. This hands moto's own Query (key conditions, order, pages,
filters) only the partition's items.
"""

from __future__ import annotations

from typing import Any

from moto.dynamodb.models.table import Table

_state = {"installed": False}


def install() -> None:
    """Patch moto in this process (the embedded AWS server, and the API tests' in-process moto)."""
    if _state["installed"]:
        return
    _state["installed"] = True
    query = Table.query

    def partition_query(self: Table, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        index_name = kwargs["index_name"] if "index_name" in kwargs else (args[6] if len(args) > 6 else None)
        if index_name is not None or hash_key is None or not self.range_key_attr:
            return query(self, hash_key, *args, **kwargs)
        partition = list(self.items[hash_key].values()) if hash_key in self.items else []
        # Seen by this one call only: moto serves one request at a time here.
        self.all_items = lambda: partition  # type: ignore[method-assign]
        try:
            return query(self, hash_key, *args, **kwargs)
        finally:
            del self.all_items

    Table.query = partition_query  # type: ignore[method-assign]
