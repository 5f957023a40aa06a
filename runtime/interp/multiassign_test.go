package interp

import "testing"

// TestMultiAssignWithCall: an assignment of several values, one a call,
// sets every variable (yaegi v0.16.1 alone leaves the others unchanged; the
// rewriter's parentheses work around it: see multiassign.go). The minimal
// repro for yaegi, without corelab:
//
//	package main
//	func g() int { return 3 }
//	func F() (int, int) { var a, b int; a, b = 5, g(); return a, b } // 0 3
func TestMultiAssignWithCall(t *testing.T) {
	in, out, _ := newTest(t, Options{})
	runSteps(t, in, out, []step{
		{src: "import \"fmt\"\ntype S struct{ Workers []int }\nfunc (s S) Void(m, i int) int { return m * i }\nfunc g() int { return 3 }", want: "<none>"},
		{src: "func f() string {\n\tvar a, b int\n\ta, b = 5, g()\n\treturn fmt.Sprint(a, b)\n}\nf()", want: "5 3"},
		{src: "a, b := 1, 2\na, b = b, g()\nfmt.Sprint(a, b)", want: "2 3"},
		{src: "func h() string {\n\ts := S{Workers: []int{7, 8}}\n\tvar a, b, c int\n\tx, m, i := 4, 10, 1\n\ta, b, c = x, s.Workers[i], s.Void(m, i)\n\treturn fmt.Sprint(a, b, c)\n}\nh()", want: "4 8 10"},
		{src: "xs := []int{0, 0}\nvar k int\nxs[0], k = 5, g()\nfmt.Sprint(xs, k)", want: "[5 0] 3"},
		{src: "p, q := 1, 2\np, q = q, p\nfmt.Sprint(p, q)", want: "2 1"},
	})
}
