package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestParseOptionsAndIDs(t *testing.T) {
	src := "%% md\n# Title\n\ntext\n%% go id=task tags=exercise\nx := 1\n%% go hidden\n// folded\n"
	cells, err := parse("03-demo", src)
	if err != nil {
		t.Fatal(err)
	}
	if len(cells) != 3 {
		t.Fatalf("got %d cells, want 3", len(cells))
	}
	if cells[0].id != "nb03-01" || cells[1].id != "task" || cells[2].id != "nb03-03" {
		t.Errorf("ids = %q %q %q", cells[0].id, cells[1].id, cells[2].id)
	}
	if cells[0].source != "# Title\n\ntext" {
		t.Errorf("markdown source = %q", cells[0].source)
	}
	if !cells[2].hidden || cells[1].tags[0] != "exercise" {
		t.Errorf("cell options lost: %+v %+v", cells[1], cells[2])
	}
}

const exercise = "%% go id=ex-sum tags=exercise\nrt.Todo()\n" +
	"%% md id=ex-sum-solution tags=solution\n<details><summary>Worked solution</summary>\n\n```go\nx := 1\n```\n\n</details>\n" +
	"%% go id=ex-sum-check tags=check\nrt.Check(\"sum\", func(c *rt.Checker) {})\n"

func TestParseAcceptsAnExercise(t *testing.T) {
	if _, err := parse("02-x", exercise); err != nil {
		t.Fatal(err)
	}
}

func TestParseRejects(t *testing.T) {
	for _, src := range []string{
		"stray\n%% md\n",
		"%% md id=a\n%% md id=a\n",
		"%% go colour=red\n",
		"%% go id=no/slash\n",
		// Exercises: solution code that runs, a solution out of place, a missing or misnamed check.
		"%% go id=task tags=exercise\n%% go id=solution tags=solution\n%% go id=check tags=check\n",
		strings.Replace(exercise, "%% md id=ex-sum-solution", "%% go id=ex-sum-solution", 1),
		strings.Replace(exercise, "<details>", "", 1),
		strings.Replace(exercise, "```go\nx := 1\n```", "```go\nx := 1\n```\n```go\ny := 2\n```", 1),
		strings.Replace(exercise, `rt.Check("sum"`, `rt.Check("other"`, 1),
		strings.Replace(exercise, "id=ex-sum-check", "id=ex-sum-test", 1),
		strings.Replace(exercise, "id=ex-sum tags=exercise", "id=ex-sum", 1),
	} {
		if _, err := parse("00-x", src); err == nil {
			t.Errorf("parse(%q) succeeded, want an error", src)
		}
	}
}

func TestRenderIsNotebook45(t *testing.T) {
	cells, _ := parse("01-x", "%% md\na\nb\n%% go\nfmt.Println(1)\n")
	out, err := render(cells)
	if err != nil {
		t.Fatal(err)
	}
	var nb struct {
		Cells []struct {
			CellType       string   `json:"cell_type"`
			ID             string   `json:"id"`
			Source         []string `json:"source"`
			ExecutionCount *int     `json:"execution_count"`
			Outputs        []any    `json:"outputs"`
		} `json:"cells"`
		Metadata struct {
			Kernelspec map[string]string `json:"kernelspec"`
		} `json:"metadata"`
		NBFormat      int `json:"nbformat"`
		NBFormatMinor int `json:"nbformat_minor"`
	}
	if err := json.Unmarshal(out, &nb); err != nil {
		t.Fatal(err)
	}
	if nb.NBFormat != 4 || nb.NBFormatMinor != 5 || nb.Metadata.Kernelspec["name"] != "corelab" {
		t.Errorf("header = %d.%d %v", nb.NBFormat, nb.NBFormatMinor, nb.Metadata.Kernelspec)
	}
	if got := strings.Join(nb.Cells[0].Source, ""); got != "a\nb" || len(nb.Cells[0].Source) != 2 {
		t.Errorf("markdown lines = %q", nb.Cells[0].Source)
	}
	if nb.Cells[1].Outputs == nil || nb.Cells[1].ExecutionCount != nil {
		t.Errorf("code cell not cleared: %+v", nb.Cells[1])
	}
	again, _ := render(cells)
	if string(again) != string(out) {
		t.Error("render is not deterministic")
	}
}

// TestNotebooksUpToDate fails when a notebook was edited by hand or its
// source changed without regenerating.
func TestNotebooksUpToDate(t *testing.T) {
	stale, err := build("..", false)
	if err != nil {
		t.Fatal(err)
	}
	if len(stale) > 0 {
		t.Errorf("regenerate with `go run ./notebooks/gen`: %v", stale)
	}
}
