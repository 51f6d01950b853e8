"""Importing push lists: formats, encodings, bad rows, repeats, failures."""

from __future__ import annotations

from zhanyi.accounts.models import AuditEvent
from zhanyi.screening.actions import do_import_push_list
from zhanyi.screening.models import Decision, PushRecord

from .conftest import csv_bytes, row_for, write_file


def test_a_csv_list_links_its_people_and_gives_each_a_task_for_their_village(
    world, index, putian, tmp_path
):
    rows = [row_for(world, "陈建国"), row_for(world, "吴丽华", category="次密接")]
    path = write_file(tmp_path, "putian.csv", csv_bytes(rows))
    push_list = do_import_push_list(putian, path, filename="putian.csv", acting_user=world.tracer)
    assert push_list.rows_read == 2
    assert push_list.rows_stored == 2
    assert push_list.encoding == "utf-8"
    records = {r.name: r for r in PushRecord.objects.all()}
    assert records["陈建国"].decision == Decision.LINK
    assert records["陈建国"].person == index["陈建国"]
    assert records["陈建国"].task.area == world.village
    assert records["吴丽华"].task.area == world.village2
    assert records["吴丽华"].task.category == "secondary_contact"
    task = records["陈建国"].task
    assert (task.due_at - task.received_at).total_seconds() == 2 * 3600
    assert AuditEvent.objects.filter(action="screening.push_list.import").count() == 1
