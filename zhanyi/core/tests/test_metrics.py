import pytest

from zhanyi.core import metrics


def test_every_app_registers_its_figures_once():
    names = [f.name for f in metrics.registered()]
    assert len(names) == len(set(names))
    assert {"people.persons", "people.households", "places.villages"} <= set(names)


def test_a_figure_cannot_be_defined_twice():
    with pytest.raises(ValueError, match="defined twice"):
        metrics.figure("people.persons", "again")(lambda area: 0)


def test_an_unknown_figure_is_an_error():
    with pytest.raises(KeyError, match="no figure named"):
        metrics.compute(["people.nonsense"])
