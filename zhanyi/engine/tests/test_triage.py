from decimal import Decimal

import pytest

from zhanyi.engine.triage import TriageFacts, triage


@pytest.mark.parametrize(
    ("temperature", "symptoms", "history", "colour", "level", "reasons"),
    [
        (None, False, False, "green", "other", ()),
        (Decimal("37.2"), False, False, "green", "other", ()),
        (Decimal("37.3"), False, False, "green", "fever", ("fever",)),
        (Decimal("36.5"), True, False, "unknown", "fever", ("symptoms",)),
        (Decimal("36.5"), False, True, "green", "suspected", ("history",)),
        (Decimal("38.0"), True, False, "yellow", "suspected", ("code_yellow", "fever", "symptoms")),
        (None, False, True, "red", "suspected", ("history", "code_red")),
    ],
)
def test_the_level_and_its_reasons(temperature, symptoms, history, colour, level, reasons):
    result = triage(TriageFacts(temperature, symptoms, history, colour), fever_celsius=37.3)
    assert (result.level, result.reasons) == (level, reasons)
