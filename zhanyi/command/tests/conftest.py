"""Fixtures of the headquarters' tests."""

import pytest

from zhanyi.places import jobs as place_jobs


class Queue:
    """Stands in for the worker's queue: keeps what was enqueued."""

    def __init__(self) -> None:
        self.ids: list[int] = []

    def enqueue(self, data_load_id: int) -> None:
        self.ids.append(data_load_id)


@pytest.fixture
def queue(monkeypatch, settings, tmp_path):
    """The data loads' queue, kept in a list: a test runs a queued load itself."""
    settings.DATA_DIR = tmp_path
    waiting = Queue()
    monkeypatch.setattr(place_jobs, "run_data_load", waiting)
    return waiting
