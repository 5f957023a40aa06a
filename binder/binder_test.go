package binder

import (
	"os/exec"
	"strings"
	"testing"
)

func TestLink(t *testing.T) {
	const lab = "?labpath=corelab-workshop%2F00-your-machine.ipynb"
	for _, c := range []struct{ remote, branch, want string }{
		{"https://github.com/ada/corelab.git", "main", "https://mybinder.org/v2/gh/ada/corelab/main" + lab},
		{"https://github.com/ada/corelab", "main", "https://mybinder.org/v2/gh/ada/corelab/main" + lab},
		{"git@github.com:ada/corelab.git", "main", "https://mybinder.org/v2/gh/ada/corelab/main" + lab},
		{"ssh://git@github.com/ada/corelab.git", "dev", "https://mybinder.org/v2/gh/ada/corelab/dev" + lab},
		{"https://user:token@github.com/ada/corelab.git", "main", "https://mybinder.org/v2/gh/ada/corelab/main" + lab},
		{"https://github.com/ada/corelab.git", "feature/x", "https://mybinder.org/v2/gh/ada/corelab/feature%2Fx" + lab},
		{"https://gitlab.com/ada/corelab.git", "main",
			"https://mybinder.org/v2/git/https%3A%2F%2Fgitlab.com%2Fada%2Fcorelab.git/main" + lab},
		{"git@codeberg.org:ada/corelab.git", "main",
			"https://mybinder.org/v2/git/https%3A%2F%2Fcodeberg.org%2Fada%2Fcorelab.git/main" + lab},
		{"ssh://git@git.example.org:2222/team/corelab", "main",
			"https://mybinder.org/v2/git/https%3A%2F%2Fgit.example.org%2Fteam%2Fcorelab/main" + lab},
	} {
		got, err := Link(c.remote, c.branch, DefaultLabPath)
		if err != nil || got != c.want {
			t.Errorf("Link(%q, %q) = %q, %v; want %q", c.remote, c.branch, got, err, c.want)
		}
	}
	for _, remote := range []string{"/srv/git/corelab.git", "../corelab", "file:///srv/git/corelab.git", "https://github.com/ada", ""} {
		if got, err := Link(remote, "main", DefaultLabPath); err == nil {
			t.Errorf("Link(%q) = %q, want an error", remote, got)
		}
	}
}

// repo makes a real git repository with one commit on branch.
func repo(t *testing.T, branch string) string {
	t.Helper()
	dir := t.TempDir()
	run(t, dir, "init", "-q", "-b", branch)
	run(t, dir, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "--allow-empty", "-m", "x")
	return dir
}

func run(t *testing.T, dir string, args ...string) {
	t.Helper()
	if out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

func TestMainFromARealCheckout(t *testing.T) {
	dir := repo(t, "workshop")
	run(t, dir, "remote", "add", "origin", "git@github.com:ada/corelab.git")
	var out, errb strings.Builder
	if err := Main([]string{"-C", dir}, &out, &errb); err != nil {
		t.Fatal(err, errb.String())
	}
	link := "https://mybinder.org/v2/gh/ada/corelab/workshop?labpath=corelab-workshop%2F00-your-machine.ipynb"
	if !strings.Contains(out.String(), "  "+link+"\n") {
		t.Errorf("no launch link in:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "[![Binder](https://mybinder.org/badge_logo.svg)]("+link+")") {
		t.Errorf("no badge in:\n%s", out.String())
	}

	// another host, another remote name, a branch given
	run(t, dir, "remote", "add", "lab", "https://gitlab.example.org/ada/corelab.git")
	out.Reset()
	if err := Main([]string{"-C", dir, "-remote", "lab", "-branch", "main"}, &out, &errb); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "https://mybinder.org/v2/git/https%3A%2F%2Fgitlab.example.org%2Fada%2Fcorelab.git/main?") {
		t.Errorf("got:\n%s", out.String())
	}
}

func TestMainWithoutARemoteSaysWhatToDo(t *testing.T) {
	dir := repo(t, "main")
	var out, errb strings.Builder
	err := Main([]string{"-C", dir}, &out, &errb)
	if err == nil || !strings.Contains(err.Error(), `no git remote "origin"`) || !strings.Contains(err.Error(), "git remote add origin URL") {
		t.Fatalf("err = %v", err)
	}
	if out.Len() != 0 {
		t.Errorf("printed a link without a remote:\n%s", out.String())
	}
}

func TestMainOnADetachedHead(t *testing.T) {
	dir := repo(t, "main")
	run(t, dir, "remote", "add", "origin", "https://github.com/ada/corelab")
	run(t, dir, "checkout", "-q", "--detach")
	var out, errb strings.Builder
	err := Main([]string{"-C", dir}, &out, &errb)
	if err == nil || !strings.Contains(err.Error(), "-branch") {
		t.Fatalf("err = %v", err)
	}
}
