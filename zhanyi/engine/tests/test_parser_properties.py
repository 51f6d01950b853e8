"""Properties of the engine's file readers (hypothesis): protocol files and stays.

A protocol file is loaded or refused with a ``ValueError`` naming what is wrong,
whatever its text; a flat file of stays or location records is ingested or
refused with a ``ValueError``, never another exception, whatever its cells;
ingesting the same file again changes nothing; what a well-formed stays file
holds comes back out of the store.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
import tempfile
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhanyi.engine.companions import Store, ingest_file
from zhanyi.engine.companions.testing import local_s
from zhanyi.engine.protocol import SECTIONS, ProtocolInfo, load_protocol

RULE = load_protocol("edition-8").companion
D0 = dt.date(2021, 9, 10)

# --- protocol files ----------------------------------------------------------------------

_SCALARS = st.one_of(
    st.integers(-(2**70), 2**70),
    st.booleans(),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=8),
    st.sampled_from(["2021-09-01", "0"]),
    st.dates().map(dt.date.isoformat),
)


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, str) and len(value) == 10 and value[4:5] == "-":
        try:
            dt.date.fromisoformat(value)
            return value  # a TOML date
        except ValueError:
            pass
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


@st.composite
def protocol_texts(draw) -> str:
    """A TOML file shaped like a protocol: known sections and keys, any values."""
    sections = {"protocol": ProtocolInfo, **SECTIONS}
    names = draw(st.lists(st.sampled_from(sorted(sections)), unique=True, max_size=5))
    if draw(st.booleans()):
        names = ["protocol", *[n for n in names if n != "protocol"]]
    lines = []
    for name in names:
        lines.append(f"[{name}]")
        fields = [f.name for f in dataclasses.fields(sections[name])]
        for key in draw(st.lists(st.sampled_from(fields), unique=True, max_size=6)):
            value = draw(st.one_of(_SCALARS, st.lists(_SCALARS, max_size=4)))
            lines.append(f"{key} = {_toml_value(value)}")
    return "\n".join(lines) + "\n"


@given(text=st.one_of(protocol_texts(), st.text(max_size=200)))
def test_any_protocol_file_loads_or_is_refused_with_a_reason(text):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "p.toml"
        path.write_text(text, encoding="utf-8")
        try:
            protocol = load_protocol(path)
        except ValueError as error:
            assert str(error)
            return
        assert isinstance(protocol.info, ProtocolInfo)


def test_the_shipped_protocol_loads_through_the_same_reader() -> None:
    assert load_protocol("edition-8").info.edition == 8


# --- stays and location records ----------------------------------------------------------

_CSV_CELL = st.one_of(
    st.integers(-(2**65), 2**65).map(str),
    st.text(alphabet=st.characters(codec="utf-8", exclude_characters=',\n\r"'), max_size=8),
    st.sampled_from(["", "2021-09-10 08:00:00", "2021-09-10T23:30:00+08:00", "NaN", "1e30"]),
)


@settings(max_examples=30)
@given(
    header=st.sampled_from(
        ["person_id,cell_id,start,end", "person_id,cell_id,ts", "person_id,lon,lat,ts", "a,b"]
    ),
    rows=st.lists(st.lists(_CSV_CELL, min_size=2, max_size=4), max_size=6),
)
def test_any_stays_or_records_file_is_ingested_or_refused_with_a_reason(header, rows):
    text = header + "\n" + "".join(",".join(row) + "\n" for row in rows)
    tmp = Path(tempfile.mkdtemp())
    try:
        path = tmp / "flat.csv"
        path.write_text(text, encoding="utf-8")
        store = Store(tmp / "store")
        try:
            first = ingest_file(path, store, RULE, windows=0)
        except ValueError as error:
            assert str(error)
            return
        built = {d.isoformat(): info["build"] for d, info in _days(store).items()}
        again = ingest_file(path, store, RULE, windows=0)
        assert again.days == [], "a second ingest of the same file rebuilds no day"
        assert {d.isoformat(): info["build"] for d, info in _days(store).items()} == built
        assert first.rows >= 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _days(store: Store) -> dict[dt.date, dict]:
    return {dt.date.fromisoformat(k): v for k, v in store.manifest()["days"].items()}


@settings(max_examples=30)
@given(
    stays=st.lists(
        st.tuples(
            st.integers(1, 50),  # person
            st.integers(0, 2000),  # cell
            st.integers(0, 20 * 60),  # start, minutes after 00:00 of D0
            st.integers(1, 4 * 60),  # length, minutes
        ),
        max_size=10,
    )
)
def test_the_store_holds_the_stays_of_a_well_formed_file(stays):
    """Round trip: every minute of presence in the file is in the store, merged per
    person and cell, none added."""
    tmp = Path(tempfile.mkdtemp())
    try:
        path = tmp / "flat.csv"
        lines = ["person_id,cell_id,start,end"]
        for person, cell, start, length in stays:
            s = local_s(D0, 0) + start * 60
            lines.append(f"{person},{cell},{_iso(s)},{_iso(s + length * 60)}")
        path.write_text("\n".join(lines) + "\n")
        store = Store(tmp / "store")
        report = ingest_file(path, store, RULE, windows=0)
        assert report.rejects.keys() <= {"duplicate"}
        expected: dict[tuple[int, int], set[int]] = {}
        for person, cell, start, length in stays:
            minutes = expected.setdefault((person, cell), set())
            minutes.update(range(start, start + length))
        stored: dict[tuple[int, int], set[int]] = {}
        for day in store.days():
            for r in pq.read_table(store.file("stays", day)).to_pylist():
                minutes = stored.setdefault((r["person_id"], r["cell_id"]), set())
                first = (r["start_s"] - local_s(D0, 0)) // 60
                minutes.update(range(first, first + (r["end_s"] - r["start_s"]) // 60))
        assert stored == expected
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _iso(epoch_s: int) -> str:
    return dt.datetime.fromtimestamp(epoch_s, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- what the properties found, kept as examples ------------------------------------------


def _protocol_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "p.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_protocol_header_without_its_keys_is_refused_by_name(tmp_path: Path) -> None:
    # Was a TypeError from the dataclass.
    with pytest.raises(ValueError, match="missing keys edition, effective_date, name"):
        load_protocol(_protocol_file(tmp_path, "[protocol]\n"))


def test_a_protocol_value_of_the_wrong_type_is_refused_by_name(tmp_path: Path) -> None:
    header = '[protocol]\nname = "x"\nedition = 1\neffective_date = 2021-01-01\n'
    # Were a TypeError (iterating an integer) and a rule that loaded a string as a number.
    with pytest.raises(ValueError, match=r"\[testing\] pool_sizes: must be a list of int"):
        load_protocol(_protocol_file(tmp_path, header + "[testing]\npool_sizes = 5\n"))
    with pytest.raises(ValueError, match=r"\[exposure\] days_before: must be of type int"):
        load_protocol(_protocol_file(tmp_path, header + '[exposure]\ndays_before = "2"\n'))
    with pytest.raises(ValueError, match=r"\[quarantine\]: must be a table"):
        load_protocol(
            _protocol_file(tmp_path, header.replace("[protocol]", "quarantine = 3\n[protocol]"))
        )


def test_a_records_file_whose_times_are_numbers_is_refused_with_a_reason(tmp_path: Path) -> None:
    # Was duckdb's ConversionException, which the companions command does not catch.
    path = tmp_path / "flat.csv"
    path.write_text("person_id,cell_id,ts\n1,5,1631232000\n")
    with pytest.raises(ValueError, match="cannot be read as stays or records"):
        ingest_file(path, Store(tmp_path / "store"), RULE, windows=0)
