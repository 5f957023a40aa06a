"""Start-up cost of a thread and of a process (fork, spawn, forkserver) in CPython.

The reference rows of notebook 05 come from this script. Run it with the CPython you want to describe:

    python3 notebooks/reference/startup.py

Each row is the median of 20 starts of a worker that does nothing, from start() to join().
"""
import multiprocessing as mp
import os
import platform
import statistics
import threading
import time

N = 20


def nothing():
    pass


def median_start(make):
    times = []
    for _ in range(N):
        t0 = time.perf_counter()
        w = make()
        w.start()
        w.join()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e3


def main():
    print(f"CPython {platform.python_version()} on {platform.machine()} Linux, "
          f"{len(os.sched_getaffinity(0))} CPUs usable; median of {N} starts, start() to join()")
    print(f"{'thread':20s} {median_start(lambda: threading.Thread(target=nothing)):8.2f} ms")
    for method in ("fork", "forkserver", "spawn"):
        ctx = mp.get_context(method)
        print(f"{'process, ' + method:20s} {median_start(lambda: ctx.Process(target=nothing)):8.2f} ms")


if __name__ == "__main__":
    main()
