"""The garbage collector paused for bulk work, and resumed after it."""

from __future__ import annotations

import gc

import pytest

from zhanyi.core import collector


def test_the_collector_is_paused_in_the_block_and_resumes_after_it_even_on_an_error():
    assert gc.isenabled()
    with collector.paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError), collector.paused():
        raise RuntimeError("bad batch")
    assert gc.isenabled()


def test_a_collector_paused_already_stays_paused():
    gc.disable()
    try:
        with collector.paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()
