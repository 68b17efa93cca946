import threading
import time

import pytest

from fakescope.core.watchdog import StepTimeout, TimeLimit


def test_returns_the_value_and_reraises_errors():
    limit = TimeLimit(5.0)
    assert limit.call(lambda: 41 + 1) == 42
    with pytest.raises(ZeroDivisionError):
        limit.call(lambda: 1 / 0)
    assert limit.call(lambda: "again") == "again"  # the worker survives an error
    limit.close()


def test_an_endless_loop_is_stopped_and_the_next_step_runs():
    stopped = threading.Event()

    def spin():
        try:
            while True:
                pass
        finally:
            stopped.set()

    limit = TimeLimit(0.3)
    start = time.monotonic()
    with pytest.raises(StepTimeout, match="longer than 0.3 s"):
        limit.call(spin)
    assert time.monotonic() - start < 5
    assert stopped.wait(5), "the abandoned worker was not interrupted"
    assert limit.call(lambda: "next") == "next"


def test_no_limit_runs_in_the_calling_thread():
    assert TimeLimit(None).call(threading.get_ident) == threading.get_ident()
    with pytest.raises(ValueError):
        TimeLimit(0)
