"""Lost updates of a shared counter in CPython: two threads each add 1 to a
global counter N times, and whatever is missing from 2 × N at the end was
lost to a thread switch between a read and its write.

The one copy of this experiment. `corelab bench runtime` embeds this file
(runtime/bench/cpython.go), sets N and runs it beside the emulation;
scripts/lost_updates.py imports it and prints the table that notebook 03
cites, under each CPython it is run with.
"""
import threading
import time

N = 1_000_000
counter = 0


def add_one(x):
    return x + 1


def plus_equals():
    global counter
    for _ in range(N):
        counter += 1


def via_call():
    global counter
    for _ in range(N):
        counter = add_one(counter)


def read_sleep_write():
    """A read, a blocking call that releases the GIL, a write: N // 100 times."""
    global counter
    for _ in range(N // 100):
        v = counter
        time.sleep(0)
        counter = v + 1


def lost(fn, n=None):
    """Runs fn on two threads at once from counter = 0 and returns how many
    of their 2 × n updates are missing (n = N, the count fn loops for)."""
    global counter
    if n is None:
        n = N
    counter = 0
    threads = [threading.Thread(target=fn) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return 2 * n - counter
