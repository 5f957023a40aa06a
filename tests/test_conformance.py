"""Jupyter messaging-protocol conformance of the corelab kernel, checked by jupyter_kernel_test.

Every message the kernel sends here is validated against the protocol's schema (msgspec v5) by the
library; the samples below are Go cells for each feature it checks.
"""

import jupyter_kernel_test

from conftest import KERNEL_NAME

IMPORTS = 'import (\n\t"fmt"\n\t"os"\n\t"corelab/display"\n)'


class CorelabKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = KERNEL_NAME
    language_name = "go"
    file_extension = ".go"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Imports persist across cells, as in any notebook; inspection below relies on them.
        cls.kc.execute_interactive(IMPORTS, timeout=60)

    code_hello_world = 'fmt.Println("hello, world")'

    code_stderr = 'fmt.Fprintln(os.Stderr, "to stderr")'

    # Matches replace the identifier before the cursor (cursor_start is after the dot).
    completion_samples = [
        {"text": "fmt.Sprin", "matches": {"Sprint", "Sprintf", "Sprintln"}},
        {"text": "os.Getpp", "matches": {"Getppid"}},
        {"text": "os.Std", "matches": {"Stdin", "Stdout", "Stderr"}},
    ]

    complete_code_samples = [
        "x := 1",
        'fmt.Println("done")',
        "func add(a, b int) int { return a + b }",
        "for i := 0; i < 3; i++ {\n\tfmt.Println(i)\n}",
    ]
    incomplete_code_samples = [
        "func f() int {",
        "for i := 0; i < 3; i++ {",
        "xs := []int{\n\t1,",
        'fmt.Println("a",',
    ]
    invalid_code_samples = [
        "x := )",
        "func g() int { return 1 }}",
    ]

    code_generate_error = 'panic("boom")'

    code_execute_result = [
        {"code": "6*7", "result": "42"},
        {"code": "len([]int{1, 2, 3})", "result": "3"},
    ]

    code_display_data = [
        {"code": 'display.HTML("<b>bold</b>")', "mime": "text/html"},
        {
            "code": 'display.SVG(`<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"></svg>`)',
            "mime": "image/svg+xml",
        },
        {"code": 'display.Markdown("*md*")', "mime": "text/markdown"},
        {"code": "display.JSON(map[string]int{\"a\": 1})", "mime": "application/json"},
    ]

    code_history_pattern = "6*7"
    supported_history_operations = ("tail", "range", "search")

    code_inspect_sample = "fmt.Println"


def test_kernel_info_details():
    """kernel_info carries what frontends use: protocol version, language_info, interrupt mode in the spec."""
    from jupyter_client.kernelspec import KernelSpecManager

    from conftest import start_kernel

    spec = KernelSpecManager().get_kernel_spec(KERNEL_NAME)
    assert spec.language.lower() == "go"
    assert spec.interrupt_mode == "message"
    km, kc = start_kernel()
    try:
        kc.kernel_info()
        reply = kc.get_shell_msg(timeout=15)
        info = reply["content"]
        assert info["status"] == "ok"
        assert info["protocol_version"].startswith("5.")
        assert info["implementation"] == "corelab"
        lang = info["language_info"]
        assert lang["name"] == "go"
        assert lang["file_extension"] == ".go"
        assert lang.get("mimetype")
        assert km.is_alive()
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
