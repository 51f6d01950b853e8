"""Work passed on at once (zhanyi.handoffs.receivers): one receiver per kind,
and none is an error."""

import pytest

from zhanyi.handoffs import receivers
from zhanyi.handoffs.models import HandoffKind


@pytest.fixture
def no_receivers(monkeypatch):
    monkeypatch.setattr(receivers, "_RECEIVERS", {})


def test_work_goes_to_the_receiver_of_its_kind_and_its_answer_comes_back(no_receivers):
    taken = []

    @receivers.receives(HandoffKind.CONTROL)
    def take(**work):
        taken.append(work)
        return "taken"

    assert receivers.pass_on(HandoffKind.CONTROL, person=7) == "taken"
    assert taken == [{"person": 7}]


def test_work_that_no_installed_app_takes_is_an_error_not_dropped(no_receivers):
    with pytest.raises(LookupError, match="no installed app takes control work"):
        receivers.pass_on(HandoffKind.CONTROL, person=7)


def test_a_kind_has_one_receiver(no_receivers):
    receivers.receives(HandoffKind.CONTROL)(lambda **work: None)
    with pytest.raises(ValueError, match="already has a receiver"):
        receivers.receives(HandoffKind.CONTROL)(lambda **work: None)
