package interp

import (
	"context"
	"fmt"
	"testing"
)

// A cell's value of a notebook type comes with what its own String, Error
// and DisplayBundle say, which host code could not call.
func TestNotebookMethodsOfTheValue(t *testing.T) {
	in, _, _ := newTest(t, Options{})
	mustEval := func(src string) Result {
		t.Helper()
		r, err := in.Eval(context.Background(), src)
		if err != nil {
			t.Fatalf("%v\n%s", err, src)
		}
		return r
	}
	mustEval(`import "fmt"
type Temp struct{ C float64 }
func (t Temp) String() string { return fmt.Sprintf("%.1f°C", t.C) }
type Fail struct{ Code int }
func (f *Fail) Error() string { return fmt.Sprint("failed with ", f.Code) }
type Plain struct{ K float64 }
type Celsius struct{ V float64 }
func (c Celsius) String() string { return fmt.Sprint(c.V, "°C") }
type Meters struct{ V float64 }
type Loud struct{ L int }
func (l Loud) String() string { panic("no") }
type Twin struct{ N int }
func (Twin) String() string { return "twin" }
type Other struct{ N int }
func (Other) String() string { return "other" }`)
	for _, tc := range []struct {
		src, method string
		want        any // nil: no methods
	}{
		{"Temp{21.5}", "String", "21.5°C"},
		{"&Temp{3}", "String", "3.0°C"},
		{"&Fail{7}", "Error", "failed with 7"},
		{"Plain{1}", "", nil},
		{"Loud{1}", "", nil},
		{"Twin{1}", "", nil},   // the same struct as Other: whose String is it?
		{"Meters{3}", "", nil}, // the same struct as Celsius, whose String it must not borrow
		{"Celsius{3}", "", nil},
		{"42", "", nil},
		{`"text"`, "", nil},
	} {
		r := mustEval(tc.src)
		if !r.Has {
			t.Fatalf("%s: no value", tc.src)
		}
		got := r.Methods[tc.method]
		if tc.want == nil {
			if len(r.Methods) != 0 {
				t.Errorf("%s: methods %v, want none", tc.src, r.Methods)
			}
			continue
		}
		if fmt.Sprint(got) != tc.want {
			t.Errorf("%s: %s() = %v, want %v", tc.src, tc.method, got, tc.want)
		}
	}
}

// What notebookMethods shows after a method is declared again agrees with
// what a cell calling the method gets (its cache is per declaration).
func TestNotebookMethodsAfterRedeclaration(t *testing.T) {
	in, _, _ := newTest(t, Options{})
	eval := func(src string) Result {
		t.Helper()
		r, err := in.Eval(context.Background(), src)
		if err != nil {
			t.Fatalf("%v\n%s", err, src)
		}
		return r
	}
	eval("type Box struct{ N int }\nfunc (b Box) String() string { return \"box\" }")
	if got := eval("Box{1}").Methods["String"]; got != "box" {
		t.Fatalf("String() = %v, want box", got)
	}
	eval("func (b Box) String() string { return \"BOX\" }")
	called := eval("Box{1}.String()").Value.String()
	if got := eval("Box{1}").Methods["String"]; got != called {
		t.Errorf("after redeclaring String the value shows %v, a call gives %v", got, called)
	}
}
