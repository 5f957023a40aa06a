package jsonnum

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func decode(t *testing.T, s string) any {
	t.Helper()
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestReplace(t *testing.T) {
	for _, tc := range []struct {
		in      string
		asInt   any
		asInt64 any
	}{
		{in: `3`, asInt: 3, asInt64: int64(3)},
		{in: `-7`, asInt: -7, asInt64: int64(-7)},
		{in: `2.5`, asInt: 2.5, asInt64: 2.5},
		{in: `3.0`, asInt: 3.0, asInt64: 3.0}, // written as a float: stays one
		{in: `1e3`, asInt: 1000.0, asInt64: 1000.0},
		{in: `123456789012345678901234`, asInt: 1.2345678901234568e23, asInt64: 1.2345678901234568e23},
		{in: `"3"`, asInt: "3", asInt64: "3"},
		{in: `true`, asInt: true, asInt64: true},
		{in: `[1, 2.5, [3]]`, asInt: []any{1, 2.5, []any{3}}, asInt64: []any{int64(1), 2.5, []any{int64(3)}}},
		{in: `{"a": 1, "b": {"c": 0.5}}`, asInt: map[string]any{"a": 1, "b": map[string]any{"c": 0.5}},
			asInt64: map[string]any{"a": int64(1), "b": map[string]any{"c": 0.5}}},
	} {
		if got := Replace[int](decode(t, tc.in)); !reflect.DeepEqual(got, tc.asInt) {
			t.Errorf("Replace[int](%s) = %#v, want %#v", tc.in, got, tc.asInt)
		}
		if got := Replace[int64](decode(t, tc.in)); !reflect.DeepEqual(got, tc.asInt64) {
			t.Errorf("Replace[int64](%s) = %#v, want %#v", tc.in, got, tc.asInt64)
		}
	}
}
