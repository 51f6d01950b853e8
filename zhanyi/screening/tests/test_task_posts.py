"""A post to a task's page that carries none of its forms is said, not a 500 (found by
the role × jurisdiction matrix, tests/test_access_matrix.py)."""

from __future__ import annotations

from django.utils import timezone

from zhanyi.people.models import Person
from zhanyi.screening.models import ScreeningTask, TaskEvent


def test_an_empty_post_to_a_task_says_there_is_nothing_to_record(world, client_for):
    now = timezone.now()
    person = Person.objects.create(name="陈建国", village=world.village)
    task = ScreeningTask.objects.create(
        person=person, area=world.village, category="close", received_at=now, due_at=now
    )
    response = client_for(world.tracer).post(f"/screening/tasks/{task.pk}/", {})
    assert response.status_code == 200
    assert "Nothing to record." in [str(m) for m in response.context["messages"]]
    assert not TaskEvent.objects.filter(task=task).exists()
