"""The protocol's [testing] section: read from the file, checked on load."""

from __future__ import annotations

import pytest

from zhanyi.engine.protocol import TestingRule as Rule
from zhanyi.engine.protocol import load_protocol


def test_the_eighth_edition_ships_ten_in_one_and_the_guides_deadlines():
    rule = load_protocol("edition-8").testing
    assert rule.default_pool_size == 10
    assert rule.pool_sizes == (1, 5, 10, 20)
    assert rule.positive_report_hours == 2
    assert rule.routine_result_hours == 12


def test_a_default_pool_size_outside_the_allowed_sizes_is_refused():
    with pytest.raises(ValueError, match="default_pool_size"):
        Rule(pool_sizes=(1, 5), default_pool_size=10, max_pool_size=20)


def test_a_misspelt_key_in_the_testing_section_is_an_error(tmp_path):
    path = tmp_path / "p.toml"
    path.write_text(
        '[protocol]\nname = "t"\nedition = 1\neffective_date = 2021-01-01\n'
        "[testing]\npool_size = 10\n"
    )
    with pytest.raises(ValueError, match="unknown keys pool_size"):
        load_protocol(path)
