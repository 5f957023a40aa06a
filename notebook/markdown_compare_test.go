package notebook

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// workshopMarkdown is the Markdown of every workshop notebook's cells.
func workshopMarkdown(tb testing.TB) []string {
	paths, _ := filepath.Glob("../notebooks/*.ipynb")
	var cells []string
	for _, p := range paths {
		nb, err := ReadFile(p)
		if err != nil {
			tb.Fatal(err)
		}
		for _, c := range nb.Cells {
			if c.Type == "markdown" {
				cells = append(cells, c.Source)
			}
		}
	}
	if len(cells) == 0 {
		tb.Fatal("no workshop Markdown found")
	}
	return cells
}

var renderers = []struct {
	name   string
	render func(string) string
}{{"legacy", renderMarkdownLegacy}, {"goldmark", RenderMarkdown}}

func BenchmarkMarkdownWorkshop(b *testing.B) {
	cells := workshopMarkdown(b)
	size := 0
	for _, c := range cells {
		size += len(c)
	}
	// As a handout renders them: one session for all the cells.
	for _, r := range []struct {
		name   string
		render func() func(string) string
	}{
		{"legacy", func() func(string) string { return newLegacyMarkdown(nil).render }},
		{"goldmark", func() func(string) string { return newMarkdown(nil).render }},
	} {
		b.Run(r.name, func(b *testing.B) {
			b.SetBytes(int64(size))
			for b.Loop() {
				render := r.render()
				for _, c := range cells {
					render(c)
				}
			}
		})
	}
}

var (
	idAttrRe = regexp.MustCompile(` id="[^"]*"`)
	spaceRe  = regexp.MustCompile(`>\s+<`)
)

func normHTML(s string) string {
	s = idAttrRe.ReplaceAllString(s, "")
	s = spaceRe.ReplaceAllString(s, "><")
	for _, r := range [][2]string{{"&quot;", `"`}, {"&#34;", `"`}, {"&#39;", "'"}, {"<br />", "<br>"}, {"<hr />", "<hr>"}, {" />", ">"}} {
		s = strings.ReplaceAll(s, r[0], r[1])
	}
	return strings.TrimSpace(s)
}

// TestMarkdownConformance counts the CommonMark spec examples (goldmark's
// copy of spec.json) each renderer renders as the spec says, ids and
// insignificant white space aside, by section.
func TestMarkdownConformance(t *testing.T) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/yuin/goldmark").Output()
	if err != nil {
		t.Skip("goldmark's module directory:", err)
	}
	data, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(out)), "_test", "spec.json"))
	if err != nil {
		t.Skip(err)
	}
	var spec []struct{ Markdown, HTML, Section string }
	if err := json.Unmarshal(data, &spec); err != nil {
		t.Fatal(err)
	}
	pass := map[string]int{}
	sectionPass := map[string]map[string]int{}
	sectionTotal := map[string]int{}
	for _, ex := range spec {
		sectionTotal[ex.Section]++
		for _, r := range renderers {
			if normHTML(r.render(ex.Markdown)) == normHTML(ex.HTML) {
				pass[r.name]++
				if sectionPass[ex.Section] == nil {
					sectionPass[ex.Section] = map[string]int{}
				}
				sectionPass[ex.Section][r.name]++
			}
		}
	}
	t.Logf("CommonMark spec examples rendered as the spec says: legacy %d, goldmark %d of %d", pass["legacy"], pass["goldmark"], len(spec))
	for s, n := range sectionTotal {
		t.Logf("  %-28s legacy %3d goldmark %3d of %3d", s, sectionPass[s]["legacy"], sectionPass[s]["goldmark"], n)
	}
	cells := workshopMarkdown(t)
	same := 0
	for _, c := range cells {
		if normHTML(renderMarkdownLegacy(c)) == normHTML(RenderMarkdown(c)) {
			same++
		}
	}
	t.Logf("workshop Markdown cells rendered alike (ids and white space aside): %d of %d", same, len(cells))
}
