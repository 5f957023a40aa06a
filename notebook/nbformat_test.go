package notebook

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// testdata/roundtrip.ipynb was written by Python's nbformat 5.5 (nbformat.write)
// from a notebook with unknown metadata, attachments, every output type,
// non-ASCII text and HTML-looking strings.
func TestRoundTripIsByteExact(t *testing.T) {
	want, err := os.ReadFile("testdata/roundtrip.ipynb")
	if err != nil {
		t.Fatal(err)
	}
	nb, err := Read(bytes.NewReader(want))
	if err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	if err := Write(&got, nb); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want) {
		t.Errorf("round trip changed the file:\n%s", firstDiff(got.String(), string(want)))
	}
}

func TestReadKeepsIDsAndUnknownFields(t *testing.T) {
	nb, err := ReadFile("testdata/roundtrip.ipynb")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, c := range nb.Cells {
		ids = append(ids, c.ID)
	}
	if want := []string{"md-1", "code-1", "code-2", "raw-1", "empty-1"}; !reflect.DeepEqual(ids, want) {
		t.Errorf("cell ids = %q, want %q", ids, want)
	}
	if _, ok := nb.Metadata["x-unknown"]; !ok {
		t.Error("unknown notebook metadata dropped")
	}
	if _, ok := nb.Cells[0].Extra["attachments"]; !ok {
		t.Error("cell attachments dropped")
	}
	if got := nb.Cells[0].Source; !strings.HasPrefix(got, "# Title <&> éè 😀\n\nSome") {
		t.Errorf("markdown source = %q", got)
	}
	if !nb.Cells[2].HasTag("solution") || nb.Cells[1].HasTag("solution") {
		t.Error("HasTag(solution) wrong")
	}
	res := nb.Cells[1].Outputs[1]
	if res.Type != "execute_result" || res.ExecutionCount != 1 || res.Data["text/html"] != "<b>1</b>\n<i>x</i>" {
		t.Errorf("execute_result = %+v", res)
	}
	if _, ok := res.Data["application/json"].(map[string]any); !ok {
		t.Errorf("application/json not decoded as a JSON value: %T", res.Data["application/json"])
	}
	errOut := nb.Cells[2].Outputs[1]
	if errOut.EName != "Panic" || len(errOut.Traceback) != 2 {
		t.Errorf("error output = %+v", errOut)
	}
}

func TestWriteFileReplacesAtomically(t *testing.T) {
	nb, err := ReadFile("testdata/roundtrip.ipynb")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "nb.ipynb")
	if err := WriteFile(path, nb); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	want, _ := os.ReadFile("testdata/roundtrip.ipynb")
	if !bytes.Equal(got, want) {
		t.Error("WriteFile output differs from Write")
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
}

func TestReadRejects(t *testing.T) {
	for name, src := range map[string]string{
		"empty":       ``,
		"array":       `[]`,
		"null":        `null`,
		"v3":          `{"nbformat": 3, "nbformat_minor": 0, "worksheets": []}`,
		"no cells":    `{"nbformat": 4, "nbformat_minor": 5, "metadata": {}}`,
		"cell type":   `{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"source": ""}]}`,
		"bad source":  `{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"cell_type": "code", "source": 3}]}`,
		"bad outputs": `{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"cell_type": "code", "source": "", "outputs": {}}]}`,
		"trailing":    `{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": []} {}`,
	} {
		if _, err := Read(strings.NewReader(src)); err == nil {
			t.Errorf("%s: Read accepted %q", name, src)
		}
	}
}

func TestSplitLinesLikePython(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"", []string{}},
		{"a", []string{"a"}},
		{"a\n", []string{"a\n"}},
		{"a\nb", []string{"a\n", "b"}},
		{"a\r\nb\rc\n\n", []string{"a\r\n", "b\r", "c\n", "\n"}},
		{"x\u2028y\fz", []string{"x\u2028", "y\f", "z"}},
	} {
		got := splitLines(tc.in)
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("splitLines(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if strings.Join(got, "") != tc.in {
			t.Errorf("splitLines(%q) does not join back", tc.in)
		}
	}
}

// FuzzRead checks that Read never panics and that whatever it accepts is
// written in a normal form that reads and writes back to itself.
func FuzzRead(f *testing.F) {
	seed, err := os.ReadFile("testdata/roundtrip.ipynb")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add([]byte(`{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": []}`))
	f.Add([]byte(`{"nbformat": 4, "nbformat_minor": 2, "metadata": null, "cells": [{"cell_type": "code", "source": ["a\n", "b"], "outputs": [{"output_type": "stream", "name": "stdout", "text": "x\r\ny"}], "execution_count": null}]}`))
	f.Add([]byte(`{"nbformat": 4, "nbformat_minor": 4, "cells": [{"cell_type": "markdown", "source": "# <b>", "x": 1e400}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		nb, err := Read(bytes.NewReader(b))
		if err != nil {
			return
		}
		var once bytes.Buffer
		if err := Write(&once, nb); err != nil {
			t.Fatalf("Write after a good Read: %v", err)
		}
		nb2, err := Read(bytes.NewReader(once.Bytes()))
		if err != nil {
			t.Fatalf("Read of our own output: %v\n%s", err, once.String())
		}
		var twice bytes.Buffer
		if err := Write(&twice, nb2); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(once.Bytes(), twice.Bytes()) {
			t.Fatalf("write(read(x)) is not stable:\n%s", firstDiff(twice.String(), once.String()))
		}
	})
}

// firstDiff shows where two texts first differ, for test failures.
func firstDiff(got, want string) string {
	gl, wl := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < len(gl) || i < len(wl); i++ {
		var g, w string
		if i < len(gl) {
			g = gl[i]
		}
		if i < len(wl) {
			w = wl[i]
		}
		if g != w {
			return "line " + strconv.Itoa(i+1) + ":\n got: " + g + "\nwant: " + w
		}
	}
	return "(no line differs)"
}
