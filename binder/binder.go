// Package binder makes the mybinder.org launch link and badge for the
// repository a checkout was cloned from, so that the README never has to
// name a repository before it exists (`corelab binder-url`, `make
// binder-url`).
//
// A GitHub remote (https, ssh or scp-like) gives Binder's GitHub form,
// https://mybinder.org/v2/gh/OWNER/REPO/BRANCH; any other git host the
// generic form, https://mybinder.org/v2/git/<escaped https URL>/BRANCH.
// Both open JupyterLab on the workshop's first notebook (?labpath=...),
// where the image's start hook puts it.
package binder

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os/exec"
	"strings"
)

// DefaultLabPath is the notebook Binder opens: the first lesson, in the
// folder the image's start hook copies the workshop into.
const DefaultLabPath = "corelab-workshop/00-your-machine.ipynb"

// Badge is the image of Binder's launch badge.
const Badge = "https://mybinder.org/badge_logo.svg"

// Link returns the mybinder.org launch link for a git remote URL, a branch
// and the path JupyterLab opens.
func Link(remote, branch, labpath string) (string, error) {
	if branch == "" {
		return "", errors.New("no branch")
	}
	u, err := parseRemote(remote)
	if err != nil {
		return "", err
	}
	ref := strings.ReplaceAll(url.PathEscape(branch), "/", "%2F")
	q := ""
	if labpath != "" {
		q = "?labpath=" + url.QueryEscape(labpath)
	}
	if u.Host == "github.com" {
		parts := strings.Split(strings.Trim(u.Path, "/"), "/")
		if len(parts) != 2 || parts[0] == "" || parts[1] == "" {
			return "", fmt.Errorf("%s: not a GitHub repository URL (github.com/OWNER/REPO)", remote)
		}
		owner, repo := parts[0], strings.TrimSuffix(parts[1], ".git")
		return "https://mybinder.org/v2/gh/" + owner + "/" + repo + "/" + ref + q, nil
	}
	return "https://mybinder.org/v2/git/" + url.QueryEscape(u.String()) + "/" + ref + q, nil
}

// parseRemote reads a git remote URL as the https URL Binder would clone:
// https://host/path as is, ssh://[user@]host/path and scp-like
// [user@]host:path turned into https://host/path. Local paths and file
// URLs are refused: Binder cannot reach them.
func parseRemote(remote string) (*url.URL, error) {
	remote = strings.TrimSpace(remote)
	if remote == "" {
		return nil, errors.New("empty remote URL")
	}
	if !strings.Contains(remote, "://") {
		// scp-like: git@github.com:owner/repo.git (a colon before any slash)
		colon, slash := strings.Index(remote, ":"), strings.Index(remote, "/")
		if colon <= 0 || (slash >= 0 && slash < colon) {
			return nil, fmt.Errorf("%s: a local path, which Binder cannot reach; push to a public git host", remote)
		}
		host := remote[:colon]
		if at := strings.LastIndex(host, "@"); at >= 0 {
			host = host[at+1:]
		}
		return &url.URL{Scheme: "https", Host: host, Path: "/" + strings.TrimPrefix(remote[colon+1:], "/")}, nil
	}
	u, err := url.Parse(remote)
	if err != nil {
		return nil, fmt.Errorf("remote URL: %w", err)
	}
	switch u.Scheme {
	case "https", "http", "ssh", "git":
	default:
		return nil, fmt.Errorf("%s: a %s URL, which Binder cannot reach; push to a public git host", remote, u.Scheme)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("%s: no host", remote)
	}
	// Binder clones over https, without credentials or an ssh port.
	return &url.URL{Scheme: "https", Host: u.Hostname(), Path: u.Path}, nil
}

// Main is `corelab binder-url`: it prints the launch link and the badge's
// Markdown for the checkout in -C (default: the working directory).
func Main(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("binder-url", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("C", ".", "the git checkout")
	remote := fs.String("remote", "origin", "the git `remote` Binder should clone")
	branch := fs.String("branch", "", "the branch to launch (default: the checked-out one)")
	labpath := fs.String("labpath", DefaultLabPath, "the `notebook` JupyterLab opens")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: corelab binder-url [-C DIR] [-remote NAME] [-branch B] [-labpath PATH]")
		fmt.Fprintln(stderr, "prints the mybinder.org launch link and badge for the repository this checkout was cloned from")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return fmt.Errorf("binder-url: unexpected argument %q", fs.Arg(0))
	}
	u, err := git(*dir, "remote", "get-url", *remote)
	if err != nil {
		return fmt.Errorf("binder-url: no git remote %q in %s (%v).\n"+
			"Binder builds from a public git repository: push this one (e.g. to GitHub), "+
			"`git remote add %s URL`, and run this again", *remote, *dir, err, *remote)
	}
	b := *branch
	if b == "" {
		b, err = git(*dir, "symbolic-ref", "--quiet", "--short", "HEAD")
		if err != nil {
			return fmt.Errorf("binder-url: no branch checked out in %s (detached HEAD?); pass -branch NAME", *dir)
		}
	}
	link, err := Link(u, b, *labpath)
	if err != nil {
		return fmt.Errorf("binder-url: %w", err)
	}
	fmt.Fprintf(stdout, "Launch link:\n  %s\n\nBadge (Markdown, for the README):\n  [![Binder](%s)](%s)\n\n", link, Badge, link)
	fmt.Fprintf(stdout, "Binder builds the Dockerfile of %s at branch %s; the repository must be public and pushed.\n", u, b)
	return nil
}

// git runs git in dir and returns its trimmed output, or an error carrying
// what git said.
func git(dir string, args ...string) (string, error) {
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	var errb strings.Builder
	cmd.Stderr = &errb
	out, err := cmd.Output()
	if err != nil {
		if msg := strings.TrimSpace(errb.String()); msg != "" {
			return "", errors.New(msg)
		}
		return "", err
	}
	return strings.TrimSpace(string(out)), nil
}
