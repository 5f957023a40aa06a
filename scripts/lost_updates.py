"""Lost updates of a shared counter in CPython: the reference rows of notebook 03.

Two threads each add 1 to a global counter 1,000,000 times, written two ways:
`counter += 1` and `counter = add_one(counter)`, and 10,000 times as a read,
`time.sleep(0)`, write. Prints the share of updates lost per run, for the switch
interval in force (default 5 ms) and for 1 µs.

    python3.X scripts/lost_updates.py [runs]

Run it under each CPython you want a row for; notebook 03 cites its output.
The experiment itself is runtime/bench/lost_updates.py, which
`corelab bench runtime` runs too.
"""
import importlib.util
import os
import platform
import sys


def experiment():
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "runtime", "bench", "lost_updates.py")
    spec = importlib.util.spec_from_file_location("lost_updates_experiment", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def main():
    x = experiment()
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    gil = getattr(sys, "_is_gil_enabled", lambda: True)()
    print("%s %s, GIL %s, %s" % (platform.python_implementation(), platform.python_version(),
                                 "on" if gil else "off", platform.machine()))
    for interval in (sys.getswitchinterval(), 1e-6):
        sys.setswitchinterval(interval)
        for name, fn, n in (("counter += 1", x.plus_equals, x.N),
                            ("counter = add_one(counter)", x.via_call, x.N),
                            ("read, time.sleep(0), write", x.read_sleep_write, x.N // 100)):
            shares = [x.lost(fn, n) / (2 * n) for _ in range(runs)]
            print("switch interval %-8g %-27s lost %s" % (
                interval, name, ", ".join("%.1f %%" % (100 * s) for s in shares)))


if __name__ == "__main__":
    main()
