"""cxlens.store.memory: the engine's memory limit for a long-running server (issue 17: with
DuckDB's default, 80 % of RAM for its buffers alone, the server ran out of memory at 10 M
interactions)."""

from __future__ import annotations

import pytest

from cxlens.errors import ConfigError
from cxlens.store import memory
from cxlens.store.base import Warehouse

GIB = 2**30


@pytest.mark.parametrize(("text", "expected"), [
    ("25%", 6 * GIB),            # a quarter of 24 GiB
    ("12.5 %", 3 * GIB),
    ("6GB", 6_000_000_000),      # decimal units, as DuckDB reads GB
    ("6 gib", 6 * GIB),
    ("512MiB", 512 * 2**20),
    ("1.5GiB", 1_610_612_736),
    ("300000000", 300_000_000),  # bytes
])
def test_sizes_and_shares_of_ram(text: str, expected: int) -> None:
    assert memory.parse(text, total=24 * GIB) == expected


@pytest.mark.parametrize(("text", "said"), [
    ("lots", "is not a size"), ("6 GX", "is not a size"), ("0%", "above 0"),
    ("150%", "at most 100"), ("100MB", "below 256 MiB"),
])
def test_what_is_not_a_usable_size_is_refused_with_an_example(text: str, said: str) -> None:
    with pytest.raises(ConfigError) as caught:
        memory.parse(text, total=24 * GIB)
    assert said in caught.value.message
    assert caught.value.hint.startswith("e.g. --memory-limit")


def test_the_default_share_is_of_this_machine_s_ram() -> None:
    assert memory.parse(memory.DEFAULT) == memory.ram() // 4


def test_duckdb_takes_the_limit_and_every_sibling_shares_it(wh: Warehouse) -> None:
    said = wh.limit_memory(1_000 * 2**20)
    if wh.dialect == "duckdb":
        assert said == "DuckDB memory limit 1000.0 MiB"
        sibling = wh.sibling()
        try:
            assert sibling.scalar("SELECT current_setting('memory_limit')") == "1000.0 MiB"
        finally:
            sibling.close()
    else:  # a Postgres server sizes its own memory
        assert said is None
