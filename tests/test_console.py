"""`jupyter console --kernel corelab` in a terminal: a function typed over several lines.

The console asks the kernel (is_complete_request) after every Enter whether the cell is complete; only a
kernel that answers "incomplete" for `func f() int {` lets a learner type a function line by line.
"""

import os
import re
import sys
import time

import pexpect
import pytest

from conftest import KERNEL_NAME, clean


class Terminal:
    """A console under a pseudo-terminal, read with colour and cursor codes stripped."""

    def __init__(self, child):
        self.child = child
        self.raw = ""  # everything read so far
        self.seen = ""  # the same, cleaned
        self.pos = 0  # where the next wait starts looking

    def wait_for(self, pattern, timeout=60):
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while True:
            m = rx.search(self.seen, self.pos)
            if m:
                self.pos = m.end()
                return m
            if time.monotonic() > deadline:
                pytest.fail("no %r within %ss; the console showed:\n%s" % (pattern, timeout, self.seen[-2000:]))
            try:
                self.raw += self.child.read_nonblocking(65536, timeout=0.2)
                self.seen = clean(self.raw).replace("\r", "")
            except pexpect.TIMEOUT:
                pass
            except pexpect.EOF:
                pytest.fail("console exited; it showed:\n%s" % self.seen[-2000:])

    def type_line(self, text):
        self.child.send(text + "\r")  # Enter, as a terminal sends it


@pytest.fixture
def console():
    env = dict(os.environ, TERM="xterm", PROMPT_TOOLKIT_NO_CPR="1")
    child = pexpect.spawn(
        sys.executable,
        ["-m", "jupyter_console", "--kernel", KERNEL_NAME,
         "--no-confirm-exit",
         "--ZMQTerminalInteractiveShell.kernel_is_complete_timeout=10",
         "--ZMQTerminalInteractiveShell.highlight_matching_brackets=False"],
        env=env, encoding="utf-8", codec_errors="replace", dimensions=(40, 160), timeout=60,
    )
    yield Terminal(child)
    child.sendcontrol("d")
    try:
        child.expect(pexpect.EOF, timeout=20)
    except pexpect.TIMEOUT:
        pass
    child.close(force=True)


def test_multiline_function_in_console(console):
    t = console
    t.wait_for(r"In \[1\]: ", timeout=90)
    t.type_line("func f() int {")
    t.wait_for(r"\.\.\.: ")  # incomplete: the console offers a continuation line
    t.type_line("return 6 * 7")
    t.wait_for(r"\.\.\.: ")
    t.type_line("}")
    t.wait_for(r"In \[2\]: ")  # complete: it ran, and the next prompt came
    t.type_line("f()")
    t.wait_for(r"Out\[2\]: 42")
    t.wait_for(r"In \[3\]: ")


def test_python_cell_magic_in_console(console):
    """`%%python` holds Python, which the Go scanner cannot judge: the console keeps offering continuation lines
    until a blank one, as IPython's terminal does for cell magics, then runs the cell in CPython."""
    t = console
    t.wait_for(r"In \[1\]: ", timeout=90)
    t.type_line("%%python")
    t.wait_for(r"\.\.\.: ")  # not run yet: an empty Python cell would be useless
    t.type_line("for i in range(2):")
    t.wait_for(r"\.\.\.: ")
    t.type_line("    print('py', i * 21)")
    t.wait_for(r"\.\.\.: ")
    t.type_line("")
    t.wait_for(r"py 21")
    t.wait_for(r"In \[2\]: ")
