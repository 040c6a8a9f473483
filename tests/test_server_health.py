"""`ServerHealth`: when a server leaves the rotation and when a run stops, with a fake clock (no network)."""

from __future__ import annotations

from spar_bench.model_adapters.health import ServerHealth


def health(urls=("a", "b"), **options) -> tuple[ServerHealth, list[str], list[float]]:
    warnings: list[str] = []
    now = [0.0]
    defaults = {"breaker_failures": 3, "dead_after": 2, "stall_timeout_s": 10.0}
    made = ServerHealth(list(urls), warn=warnings.append, clock=lambda: now[0], **{**defaults, **options})
    return made, warnings, now


def test_consecutive_failures_with_no_success_trip_the_breaker():
    made, _, _ = health()
    for _ in range(2):
        made.failure(0, message="HTTP 500 from a: boom", status=500)
    assert made.stopped is None
    made.failure(1, message="HTTP 500 from b: boom", status=500)
    assert "3 tries in a row failed" in made.stopped and "boom" in made.stopped


def test_one_success_resets_the_breaker():
    made, _, _ = health()
    for _ in range(10):
        made.failure(0, message="503", status=503)
        made.failure(0, message="503", status=503)
        made.success(1)
    assert made.stopped is None


def test_a_refusing_server_among_live_ones_is_taken_out_without_stopping_the_run():
    made, warnings, _ = health()
    for _ in range(20):
        made.failure(0, message="refused", refused=True)
    assert made.alive == [False, True] and made.stopped is None
    assert len(warnings) == 1 and "a taken out of the rotation" in warnings[0]


def test_the_run_stops_when_every_server_is_out():
    made, _, _ = health()
    made.failure(0, message="HTTP 404 from a: no such model", status=404)
    made.failure(1, message="refused", refused=True)
    assert made.stopped is None
    made.failure(1, message="refused", refused=True)
    assert "every server was taken out" in made.stopped


def test_a_404_after_answers_does_not_take_a_server_out():
    made, _, _ = health(("a",))
    made.success(0)
    made.failure(0, message="HTTP 404", status=404)
    assert made.alive == [True] and made.stopped is None


def test_the_stall_detector_stops_a_run_with_no_answer_for_the_timeout():
    made, _, now = health()
    now[0] = 9.0
    made.check_stall(waiting=4)
    assert made.stopped is None
    now[0] = 10.5
    made.check_stall(waiting=0)
    assert made.stopped is None, "nothing waits: no stall"
    made.check_stall(waiting=4)
    assert "no answer from any server for 10 s" in made.stopped
