"""A positive single tube (testing) becomes a case (tracing): the work crosses as
a case report through ``zhanyi.handoffs.receivers``, so the test spans both apps."""

from zhanyi.handoffs.models import Handoff
from zhanyi.testing import queries
from zhanyi.testing.tests.factories import deliver_and_receive, delivered_pool, report, scan
from zhanyi.tracing.models import Case


def test_single_tube_resampling_closes_the_task_and_a_positive_becomes_a_case(world):
    ps, _r, s, lb = delivered_pool(world)
    report(lb, {"POOL0001": "positive"})
    scan("SINGLE01", [ps[0]], site=s, purpose="resample", pool_size=1)
    scan("SINGLE02", [ps[1]], site=s, purpose="resample", pool_size=1)
    h0 = Handoff.objects.get(kind="resample", person=ps[0])
    assert h0.status == "done"
    deliver_and_receive(s, lb, ["SINGLE01", "SINGLE02"])
    report(lb, {"SINGLE01": "positive", "SINGLE02": "negative"})
    case = Case.objects.get(person=ps[0])
    assert case.source == "testing.tube:SINGLE01"
    assert not Case.objects.filter(person=ps[1]).exists()
    assert queries.retest_list(world.commander).count() == 8
