"""The tracing rules are data: editing the protocol file changes them, with no code."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from zhanyi.engine.protocol import PROTOCOLS_DIR, exposure_window, load_protocol

ISOLATED = dt.datetime(2021, 9, 14, 21, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def edited(tmp_path: Path, old: str, new: str) -> Path:
    text = (PROTOCOLS_DIR / "edition-8.toml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "edited.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_the_eighth_and_ninth_editions_differ_only_in_their_numbers():
    eight, nine = load_protocol("edition-8"), load_protocol("edition-9")
    onset = dt.date(2021, 9, 13)
    assert eight.exposure_window(ISOLATED, onset_date=onset)[0] == dt.datetime(
        2021, 9, 10, 16, tzinfo=dt.UTC
    )
    assert nine.exposure_window(ISOLATED, onset_date=onset)[0] == dt.datetime(
        2021, 9, 8, 16, tzinfo=dt.UTC
    )
    assert eight.quarantine.stages("close") == [("centralised", 14), ("home_health_monitoring", 7)]
    assert nine.quarantine.stages("close") == [("centralised", 7), ("home_health_monitoring", 3)]
    assert eight.quarantine.stages("secondary") == [("centralised", 7)]
    assert nine.quarantine.stages("secondary") == [("home", 7)]
    assert eight.test_days.days("close") == (1, 4, 7, 14)
    assert eight.deadlines.case_report_hours == 2
    assert eight.deadlines.investigation_hours == 24


def test_editing_the_window_in_the_file_moves_the_window(tmp_path):
    rules = load_protocol(edited(tmp_path, "days_before = 2", "days_before = 3"))
    start, _ = exposure_window(rules.exposure, ISOLATED, sampling_date=dt.date(2021, 9, 14))
    assert start == dt.datetime(2021, 9, 10, 16, tzinfo=dt.UTC)


def test_editing_test_days_and_deadlines_in_the_file_changes_them(tmp_path):
    path = edited(tmp_path, "secondary_days = [1, 4, 7]", "secondary_days = [1, 3, 5, 7]")
    assert load_protocol(path).test_days.days("secondary") == (1, 3, 5, 7)
    path = edited(tmp_path, "investigation_hours = 24", "investigation_hours = 12")
    assert load_protocol(path).deadlines.investigation_hours == 12


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("max_depth = 2", "max_dept = 2", "unknown keys max_dept"),
        ("max_depth = 2", "max_depth = 0", "contacts.max_depth"),
        ("close_days = [1, 4, 7, 14]", "close_days = [4, 1]", "test_days.close_days"),
        ("close_days = [1, 4, 7, 14]", "close_days = [0, 4]", "test_days.close_days"),
        ('certainties = ["confirmed", "probable"]', 'certainties = ["maybe"]', "certainties"),
        ('"household", "carer"', '"household", "Karaoke Bar"', "contacts.settings"),
        ("control_hours = 2", "control_hours = 0", "deadlines.control_hours"),
        ("close_centralised_days = 14", "close_centralised_days = -1", "quarantine."),
        ("upgrade_secondary = true", 'upgrade_secondary = "yes"', "upgrade_secondary"),
    ],
)
def test_a_wrong_rule_in_the_file_is_refused_naming_it(tmp_path, old, new, message):
    with pytest.raises(ValueError, match=message):
        load_protocol(edited(tmp_path, old, new))


def test_a_file_that_is_not_toml_is_refused_naming_the_file_and_line(tmp_path):
    path = edited(tmp_path, "max_depth = 2", "max_depth 2")
    with pytest.raises(
        ValueError, match=re.escape(f"{path}: not a protocol file: ") + r".*line \d+"
    ):
        load_protocol(path)
