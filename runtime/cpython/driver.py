# corelab's driver for %%python cells. corelab starts it as
#     python -u driver.py CELL.py CTL_OUT_FD CTL_IN_FD
# It runs CELL.py as __main__ (so multiprocessing's spawn and forkserver find the cell's functions), with
# input() and getpass() asking the notebook's frontend through corelab, and tells corelab over CTL_OUT_FD how
# the cell ended: its exception (type, message, traceback with the cell's own line numbers) or the simple
# values it left in its global names. One JSON object per line. It must run on every Python 3 corelab may find.
import builtins
import json
import math
import os
import runpy
import signal
import sys
import threading
import traceback


class StdinNotImplementedError(NotImplementedError):
    """The frontend cannot answer input requests (as ipykernel names it)."""


def main():
    # corelab's evaluator ignores SIGINT (its interrupts come as messages), and an ignored signal stays
    # ignored across exec: give the cell Python's own Ctrl-C back, which raises KeyboardInterrupt.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    cell = sys.argv[1]
    out_fd, in_fd = int(sys.argv[2]), int(sys.argv[3])
    for fd in (out_fd, in_fd):
        os.set_inheritable(fd, False)
    ctl_out = os.fdopen(out_fd, "w", encoding="utf-8")
    ctl_in = os.fdopen(in_fd, "r", encoding="utf-8")
    ask_lock = threading.Lock()

    def send(msg):
        ctl_out.write(json.dumps(msg) + "\n")
        ctl_out.flush()

    def ask(prompt, password):
        prompt = "" if prompt is None else str(prompt)
        with ask_lock:
            sys.stdout.flush()
            sys.stderr.flush()
            send({"input": prompt, "password": password})
            line = ctl_in.readline()
        if not line:
            raise EOFError("corelab closed the input channel")
        answer = json.loads(line)
        if answer.get("error") == "interrupted":
            raise KeyboardInterrupt
        if answer.get("error"):
            raise StdinNotImplementedError(answer.get("message", "input is not available"))
        return answer.get("value", "")

    builtins.input = lambda prompt="": ask(prompt, False)
    try:
        import getpass
        getpass.getpass = lambda prompt="Password: ", stream=None: ask(prompt, True)
    except ImportError:
        pass

    sys.argv = [cell]
    sys.path[0] = ""  # imports from the notebook's directory, as `python -c` and IPython do
    try:
        names = runpy.run_path(cell, run_name="__main__")
    except SystemExit as e:
        if e.code in (None, 0):
            send({"vars": {}})
            return
        send({"error": describe(e, cell)})
        return
    except BaseException as e:
        send({"error": describe(e, cell)})
        return
    send({"vars": simple_values(names)})


def describe(e, cell):
    """The exception as Jupyter shows an error: name, message, traceback lines from the cell's frames on."""
    tb = e.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename != cell:
        tb = tb.tb_next  # runpy's own frames
    text = "".join(traceback.format_exception(type(e), e, tb))
    text = text.replace('File "%s"' % cell, 'File "<cell>"')
    return {"ename": type(e).__name__, "evalue": str(e), "traceback": text.rstrip("\n").split("\n")}


def simple_values(names):
    """The cell's global names that hold numbers, booleans, short strings or short lists of numbers."""
    out = {}
    for k, v in names.items():
        if k.startswith("_"):
            continue
        if isinstance(v, bool) or (isinstance(v, int) and abs(v) < 2 ** 53):
            out[k] = v
        elif isinstance(v, float) and math.isfinite(v):
            out[k] = v
        elif isinstance(v, str) and len(v) <= 1000:
            out[k] = v
        elif isinstance(v, (list, tuple)) and len(v) <= 10000 and all(
            isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x) for x in v
        ):
            out[k] = list(v)
    return out


main()
