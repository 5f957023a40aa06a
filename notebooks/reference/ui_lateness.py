"""UI lateness in CPython: how late a thread sleeping 10 ms wakes beside CPU-bound work.

The reference rows of notebook 06 come from this script. Run it with the CPython you want to describe:

    python3 notebooks/reference/ui_lateness.py

It prints, per situation, the median (p50) and p99 lateness of 200 ticks of 10 ms.
"""
import multiprocessing
import platform
import statistics
import sys
import threading
import time

TICK = 0.010
TICKS = 200


def spin(stop):
    x = 0
    while not stop.is_set():
        x += 1  # pure-Python work: holds the GIL between check points


def ticks():
    late = []
    for _ in range(TICKS):
        t0 = time.perf_counter()
        time.sleep(TICK)
        late.append(time.perf_counter() - t0 - TICK)
    late.sort()
    return statistics.median(late) * 1e3, late[int(0.99 * (len(late) - 1))] * 1e3


def beside(n, start):
    stop = start()
    try:
        return ticks()
    finally:
        stop()


def threads(n):
    def start():
        ev = threading.Event()
        ts = [threading.Thread(target=spin, args=(ev,)) for _ in range(n)]
        for t in ts:
            t.start()
        time.sleep(0.05)

        def stop():
            ev.set()
            for t in ts:
                t.join()
        return stop
    return start


def processes(n):
    def start():
        ev = multiprocessing.Event()
        ps = [multiprocessing.Process(target=spin, args=(ev,)) for _ in range(n)]
        for p in ps:
            p.start()
        time.sleep(0.2)

        def stop():
            ev.set()
            for p in ps:
                p.join()
        return stop
    return start


def main():
    print(f"CPython {platform.python_version()} on {platform.machine()} Linux, "
          f"{len(__import__('os').sched_getaffinity(0))} CPUs usable, switch interval {sys.getswitchinterval()*1e3:g} ms")
    rows = [("idle", lambda: lambda: None)]
    rows += [("one CPU-bound thread", threads(1)), ("three CPU-bound threads", threads(3))]
    for name, start in rows:
        print(f"{name:45s} p50 {beside(0, start)[0]:6.2f} ms")
    sys.setswitchinterval(0.0005)
    print(f"{'one CPU-bound thread, switch interval 0.5 ms':45s} p50 {beside(1, threads(1))[0]:6.2f} ms")
    sys.setswitchinterval(0.005)
    print(f"{'one CPU-bound process':45s} p50 {beside(1, processes(1))[0]:6.2f} ms")


if __name__ == "__main__":
    main()
