"""The query workers: answers and errors reach the caller, and nothing is kept once handed over."""

from __future__ import annotations

import gc
import threading
import weakref

import pytest

from kg.sparql_results import WorkerPool


class Answer:
    """Stands for a serialised answer (up to the size limit): something worth freeing."""


def test_a_finished_answer_is_not_kept_alive_by_the_idle_worker() -> None:
    pool: WorkerPool[Answer] = WorkerPool(2, name="test")
    try:
        future = pool.submit(Answer)
        answer = future.result(timeout=10)
        ref = weakref.ref(answer)
        del answer, future
        gc.collect()
        assert ref() is None
    finally:
        pool.close()


def test_errors_reach_the_caller_and_the_worker_goes_on() -> None:
    pool: WorkerPool[int] = WorkerPool(1, name="test")

    def fail() -> int:
        raise ValueError("bad query")

    try:
        with pytest.raises(ValueError, match="bad query"):
            pool.submit(fail).result(timeout=10)
        assert pool.submit(lambda: 42).result(timeout=10) == 42
    finally:
        pool.close()


def test_jobs_queue_behind_busy_workers_and_close_lets_them_finish() -> None:
    pool: WorkerPool[int] = WorkerPool(1, name="test")
    release = threading.Event()
    first = pool.submit(lambda: 1 if release.wait(10) else 0)
    second = pool.submit(lambda: 2)
    assert not second.done()
    pool.close()  # stops the thread after the jobs already queued
    release.set()
    assert (first.result(timeout=10), second.result(timeout=10)) == (1, 2)
