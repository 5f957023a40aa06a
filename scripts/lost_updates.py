"""Lost updates of a shared counter in CPython: the reference rows of notebook 03.

Two threads each add 1 to a global counter 1,000,000 times, written two ways:
`counter += 1` and `counter = add_one(counter)`, and 10,000 times as a read,
`time.sleep(0)`, write. Prints the share of updates lost per run, for the switch
interval in force (default 5 ms) and for 1 µs.

    python3.X scripts/lost_updates.py [runs]

Run it under each CPython you want a row for; notebook 03 cites its output.
"""
import platform
import sys
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
    global counter
    for _ in range(N // 100):
        v = counter
        time.sleep(0)
        counter = v + 1


def lost(fn, n=N):
    global counter
    counter = 0
    threads = [threading.Thread(target=fn) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return 1 - counter / (2 * n)


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    gil = getattr(sys, "_is_gil_enabled", lambda: True)()
    print("%s %s, GIL %s, %s" % (platform.python_implementation(), platform.python_version(),
                                 "on" if gil else "off", platform.machine()))
    for interval in (sys.getswitchinterval(), 1e-6):
        sys.setswitchinterval(interval)
        for name, fn, n in (("counter += 1", plus_equals, N),
                            ("counter = add_one(counter)", via_call, N),
                            ("read, time.sleep(0), write", read_sleep_write, N // 100)):
            shares = [lost(fn, n) for _ in range(runs)]
            print("switch interval %-8g %-27s lost %s" % (
                interval, name, ", ".join("%.1f %%" % (100 * s) for s in shares)))


if __name__ == "__main__":
    main()
