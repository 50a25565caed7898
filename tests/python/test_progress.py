"""Progress, cancellation and the GIL: the callback sees every long phase, returning False or
raising stops the study at once and writes nothing, Ctrl-C does too, and other Python threads run
while a study searches. No assertion here depends on how fast the machine is: stopping is shown
by the work that was not done (progress never reaches its total, no file), not by a stopwatch;
the few times measured only bound what a loaded machine cannot fail by seconds."""

import os
import signal
import threading
import time
import warnings

import numpy as np
import pytest

import lifecircle


def points(net, n, seed):
    west, south, east, north = net.info()["bbox_lonlat"]
    rng = np.random.default_rng(seed)
    return np.column_stack([rng.uniform(west, east, n), rng.uniform(south, north, n)])


@pytest.fixture(scope="module")
def big(porto):
    """A matrix that takes seconds: 2500 x 2500 random points over Porto, no cutoff."""
    net = lifecircle.Network(porto)
    return net, points(net, 2500, 1), points(net, 2500, 2)


def test_progress_reaches_every_phase(net, demo, tmp_path):
    import geopandas as gpd
    calls = []
    net.coverage(gpd.read_file(demo["clinics"]).drop(columns=["capacity"]), demo["homes"], weights="population", capacity=np.array([900, 900, 900]),
                 minutes=10, progress=lambda phase, done, total: calls.append((phase, done, total)))
    phases = list(dict.fromkeys(c[0] for c in calls))
    assert "coverage" in phases and any(p.startswith("seats") for p in phases), phases
    for phase in phases:
        mine = [c for c in calls if c[0] == phase]
        assert all(0 <= done <= total for _, done, total in mine)
        assert mine[-1][1] == mine[-1][2]  # every phase is reported finished


def test_returning_false_cancels_and_writes_nothing(big, tmp_path):
    net, origins, targets = big
    seen = []

    def stop(phase, done, total):
        seen.append(done)
        return False

    with pytest.raises(lifecircle.Cancelled) as e:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", lifecircle.LifecircleWarning)
            net.matrix(origins, targets, out=tmp_path / "od.csv", progress=stop)
    # The first report was answered "stop" and the study made no other: it stopped right there.
    assert len(seen) == 1 and seen[0] < len(origins)
    assert "nothing was written" in str(e.value)
    assert list(tmp_path.iterdir()) == []


def test_a_cancelled_poll_stops_the_study(big, tmp_path):
    net, origins, targets = big
    polls = []
    notices = []
    started = time.monotonic()

    def cancelled():
        polls.append(time.monotonic() - started)
        return len(polls) >= 3  # the user clicks Cancel while the study runs

    with pytest.raises(lifecircle.Cancelled):
        net.isochrones(origins[:400], minutes=[30], method="network", out=tmp_path / "areas.gpkg",
                       cancelled=cancelled, notice=lambda level, text: notices.append((level, text)))
    # Polled while it ran (every 50 ms), and not once more after the answer "cancelled".
    assert len(polls) == 3
    assert all(b - a < 1.0 for a, b in zip(polls, polls[1:]))
    assert any(level == "warning" and "not snapped" in text for level, text in notices)
    assert list(tmp_path.iterdir()) == []


def test_an_exception_in_the_callback_propagates(big, tmp_path):
    net, origins, targets = big

    class Stop(Exception):
        pass

    def boom(phase, done, total):
        raise Stop(phase)

    with pytest.raises(Stop, match="matrix: origins"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", lifecircle.LifecircleWarning)
            net.matrix(origins, targets, out=tmp_path / "od.gpkg", progress=boom)
    assert list(tmp_path.iterdir()) == []


def test_ctrl_c_stops_within_a_second(big, tmp_path):
    net, origins, targets = big
    timer = threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT))
    started = time.monotonic()
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", lifecircle.LifecircleWarning)
                net.matrix(origins, targets, out=tmp_path / "od.csv")
    finally:
        timer.cancel()
    # The whole matrix takes seconds more on any machine; a wide bound so that load cannot fail it.
    assert time.monotonic() - started < 4.0
    assert list(tmp_path.iterdir()) == []


def test_the_gil_is_released_during_searches(big):
    net, origins, targets = big
    ticks = []
    done = threading.Event()

    def tick():
        while not done.is_set():
            ticks.append(time.monotonic())
            time.sleep(0.001)

    thread = threading.Thread(target=tick)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", lifecircle.LifecircleWarning)
        started = time.monotonic()
        thread.start()
        result = net.matrix_result(origins[:1500], targets[:1500])
        took = time.monotonic() - started
    done.set()
    thread.join()
    assert result.pairs > 1_000_000 and took > 0.3
    # Without the GIL released the other thread would tick only between Python calls (once or
    # twice); here it ticks all along (every 1 ms asked; at least one per 100 ms on a loaded machine).
    during = [t for t in ticks if t < started + took]
    assert len(during) > max(10, took / 0.1)
