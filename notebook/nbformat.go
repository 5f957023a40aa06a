package notebook

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Notebook is an nbformat v4 notebook. Fields this package does not know
// are kept in Extra and written back unchanged.
type Notebook struct {
	Format   int            // "nbformat": always 4
	Minor    int            // "nbformat_minor"
	Metadata map[string]any // notebook metadata (kernelspec, language_info, ...)
	Cells    []*Cell
	Extra    map[string]json.RawMessage // unknown top-level keys
}

// Cell is one notebook cell: "code", "markdown" or "raw".
type Cell struct {
	ID       string // "id" (nbformat 4.5+); "" when the file has none
	Type     string // "cell_type"
	Source   string // joined from the file's list of lines
	Metadata map[string]any
	// Outputs and ExecutionCount belong to code cells only; an
	// ExecutionCount of 0 is written as null (Jupyter counts from 1).
	Outputs        []*Output
	ExecutionCount int
	Extra          map[string]json.RawMessage // unknown keys, e.g. "attachments"
}

// Output is one recorded output of a code cell, by Type ("output_type"):
// "stream" (Name, Text), "display_data" (Data, Metadata), "execute_result"
// (Data, Metadata, ExecutionCount) or "error" (EName, EValue, Traceback).
type Output struct {
	Type string

	Name string // stream: "stdout" or "stderr"
	Text string // stream

	// Data maps MIME types to values: a string for text-like types (joined
	// from the file's list of lines), the decoded JSON value for
	// application/json and application/*+json.
	Data           map[string]any
	Metadata       map[string]any
	ExecutionCount int // execute_result

	EName     string // error
	EValue    string
	Traceback []string

	Extra map[string]json.RawMessage // unknown keys

	displayID string // transient display_id while executing; never written
}

// Tags returns the cell's "tags" metadata.
func (c *Cell) Tags() []string {
	list, _ := c.Metadata["tags"].([]any)
	var tags []string
	for _, t := range list {
		if s, ok := t.(string); ok {
			tags = append(tags, s)
		}
	}
	return tags
}

// HasTag reports whether the cell is tagged tag.
func (c *Cell) HasTag(tag string) bool {
	for _, t := range c.Tags() {
		if t == tag {
			return true
		}
	}
	return false
}

// ReadFile reads the notebook at path.
func ReadFile(path string) (*Notebook, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	nb, err := Read(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return nb, nil
}

// WriteFile writes nb to path the way Jupyter does, replacing the file
// only once the whole notebook has been written (through a temporary file
// in the same directory and a rename). A file that exists keeps its
// permissions; a new one gets 0666 less the process's umask, as any file
// the user's tools create.
func WriteFile(path string, nb *Notebook) error {
	var buf bytes.Buffer
	if err := Write(&buf, nb); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return writeFileAtomic(path, buf.Bytes())
}

func writeFileAtomic(path string, data []byte) error {
	f, err := createTemp(path)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if fi, serr := os.Stat(path); err == nil && serr == nil {
		err = os.Chmod(tmp, fi.Mode().Perm())
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// createTemp creates a new hidden file beside path. Unlike os.CreateTemp
// (always 0600), it asks for 0666 and lets the kernel apply the umask, so
// a file that did not exist before ends with the mode the user expects.
func createTemp(path string) (*os.File, error) {
	dir, base := filepath.Split(path)
	for range 100 {
		name := filepath.Join(dir, "."+base+".tmp"+strconv.FormatUint(rand.Uint64(), 36))
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o666)
		if !errors.Is(err, fs.ErrExist) {
			return f, err
		}
	}
	return nil, errors.New("cannot create a temporary file beside it")
}

// Read decodes an nbformat v4 notebook. Lists of lines (source, stream
// text, text-like output data) are joined into strings; everything it does
// not know is kept for Write.
func Read(r io.Reader) (*Notebook, error) {
	var top map[string]json.RawMessage
	if err := decodeStrict(r, &top); err != nil {
		return nil, fmt.Errorf("not a notebook: %w", err)
	}
	if top == nil {
		return nil, errors.New("not a notebook: top level is null")
	}
	nb := &Notebook{}
	if err := take(top, "nbformat", &nb.Format); err != nil {
		return nil, err
	}
	if nb.Format != 4 {
		return nil, fmt.Errorf("nbformat %d is not supported (want 4; convert it with `jupyter nbconvert --to notebook`)", nb.Format)
	}
	if err := take(top, "nbformat_minor", &nb.Minor); err != nil {
		return nil, err
	}
	var err error
	if nb.Metadata, err = takeObject(top, "metadata"); err != nil {
		return nil, err
	}
	if _, ok := top["cells"]; !ok {
		return nil, errors.New("notebook has no cells")
	}
	if nb.Cells, err = takeList(top, "cells", "cell", readCell); err != nil {
		return nil, err
	}
	nb.Extra = extra(top)
	return nb, nil
}

func readCell(raw json.RawMessage) (*Cell, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		return nil, errors.New("not an object")
	}
	c := &Cell{}
	if err := take(m, "cell_type", &c.Type); err != nil {
		return nil, err
	}
	if c.Type == "" {
		return nil, errors.New("no cell_type")
	}
	if err := take(m, "id", &c.ID); err != nil {
		return nil, err
	}
	if err := takeMultiline(m, "source", &c.Source); err != nil {
		return nil, err
	}
	var err error
	if c.Metadata, err = takeObject(m, "metadata"); err != nil {
		return nil, err
	}
	if c.Type == "code" {
		if err := take(m, "execution_count", &c.ExecutionCount); err != nil {
			return nil, err
		}
		if c.Outputs, err = takeList(m, "outputs", "output", readOutput); err != nil {
			return nil, err
		}
	}
	c.Extra = extra(m)
	return c, nil
}

func readOutput(raw json.RawMessage) (*Output, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		return nil, errors.New("not an object")
	}
	o := &Output{}
	if err := take(m, "output_type", &o.Type); err != nil {
		return nil, err
	}
	var err error
	switch o.Type {
	case "stream":
		if err = take(m, "name", &o.Name); err == nil {
			err = takeMultiline(m, "text", &o.Text)
		}
	case "display_data", "execute_result":
		if o.Type == "execute_result" {
			err = take(m, "execution_count", &o.ExecutionCount)
		}
		if err == nil {
			o.Metadata, err = takeObject(m, "metadata")
		}
		if err == nil {
			o.Data, err = takeData(m)
		}
	case "error":
		if err = take(m, "ename", &o.EName); err == nil {
			err = take(m, "evalue", &o.EValue)
		}
		if err == nil {
			err = take(m, "traceback", &o.Traceback)
		}
	case "":
		err = errors.New("no output_type")
	}
	if err != nil {
		return nil, err
	}
	o.Extra = extra(m)
	return o, nil
}

// isJSONMIME reports whether values of MIME type mime are JSON values
// rather than (multiline) strings in nbformat.
func isJSONMIME(mime string) bool {
	return mime == "application/json" ||
		strings.HasPrefix(mime, "application/") && strings.HasSuffix(mime, "+json")
}

func takeData(m map[string]json.RawMessage) (map[string]any, error) {
	raw, ok := m["data"]
	if !ok {
		return nil, nil
	}
	delete(m, "data")
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	if fields == nil {
		return nil, errors.New("data: null")
	}
	data := make(map[string]any, len(fields))
	for mime, v := range fields {
		if !isJSONMIME(mime) {
			if s, err := multiline(v); err == nil {
				data[mime] = s
				continue
			}
		}
		val, err := decodeValue(v)
		if err != nil {
			return nil, fmt.Errorf("data %s: %w", mime, err)
		}
		data[mime] = val
	}
	return data, nil
}

// decodeStrict decodes one JSON value and refuses trailing data.
func decodeStrict(r io.Reader, v any) error {
	dec := json.NewDecoder(r)
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("data after the notebook")
	}
	return nil
}

// decodeValue decodes any JSON value, keeping numbers as json.Number so
// that they are written back exactly as read.
func decodeValue(raw json.RawMessage) (any, error) {
	var v any
	err := decodeStrict(bytes.NewReader(raw), &v)
	return v, err
}

// take decodes m[key], if present, into dst and removes it from m; null
// leaves dst alone.
func take[T any](m map[string]json.RawMessage, key string, dst *T) error {
	raw, ok := m[key]
	if !ok {
		return nil
	}
	delete(m, key)
	if err := json.Unmarshal(raw, dst); err != nil {
		return fmt.Errorf("%s: %w", key, err)
	}
	return nil
}

// takeList decodes the array m[key], if present, element by element with
// read, and removes it from m.
func takeList[T any](m map[string]json.RawMessage, key, what string, read func(json.RawMessage) (T, error)) ([]T, error) {
	var raws []json.RawMessage
	if err := take(m, key, &raws); err != nil {
		return nil, err
	}
	list := make([]T, 0, len(raws))
	for i, raw := range raws {
		v, err := read(raw)
		if err != nil {
			return nil, fmt.Errorf("%s %d: %w", what, i, err)
		}
		list = append(list, v)
	}
	return list, nil
}

func takeMultiline(m map[string]json.RawMessage, key string, dst *string) error {
	raw, ok := m[key]
	if !ok {
		return nil
	}
	delete(m, key)
	s, err := multiline(raw)
	if err != nil {
		return fmt.Errorf("%s: %w", key, err)
	}
	*dst = s
	return nil
}

// multiline decodes nbformat's multiline string: a string or a list of
// strings to be joined.
func multiline(raw json.RawMessage) (string, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s, nil
	}
	var lines []string
	if err := json.Unmarshal(raw, &lines); err != nil {
		return "", errors.New("want a string or a list of strings")
	}
	return strings.Join(lines, ""), nil
}

func takeObject(m map[string]json.RawMessage, key string) (map[string]any, error) {
	raw, ok := m[key]
	if !ok {
		return nil, nil
	}
	delete(m, key)
	v, err := decodeValue(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", key, err)
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s: not an object", key)
	}
	return obj, nil
}

func extra(m map[string]json.RawMessage) map[string]json.RawMessage {
	if len(m) == 0 {
		return nil
	}
	return m
}

// Write encodes nb as Jupyter does: keys sorted, one-space indent, no
// ASCII or HTML escaping, multiline strings split into lists of lines, and
// a final newline.
func Write(w io.Writer, nb *Notebook) error {
	top := map[string]any{}
	for k, v := range nb.Extra {
		top[k] = v
	}
	format := nb.Format
	if format == 0 {
		format = 4
	}
	top["nbformat"] = format
	top["nbformat_minor"] = nb.Minor
	top["metadata"] = object(nb.Metadata)
	cells := make([]any, 0, len(nb.Cells))
	for _, c := range nb.Cells {
		cells = append(cells, cellJSON(c))
	}
	top["cells"] = cells

	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(top); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}

func cellJSON(c *Cell) map[string]any {
	m := map[string]any{}
	for k, v := range c.Extra {
		m[k] = v
	}
	m["cell_type"] = c.Type
	if c.ID != "" {
		m["id"] = c.ID
	}
	m["metadata"] = object(c.Metadata)
	m["source"] = splitLines(c.Source)
	if c.Type == "code" {
		m["execution_count"] = count(c.ExecutionCount)
		outs := make([]any, 0, len(c.Outputs))
		for _, o := range c.Outputs {
			outs = append(outs, outputJSON(o))
		}
		m["outputs"] = outs
	}
	return m
}

func outputJSON(o *Output) map[string]any {
	m := map[string]any{}
	for k, v := range o.Extra {
		m[k] = v
	}
	m["output_type"] = o.Type
	switch o.Type {
	case "stream":
		m["name"] = o.Name
		m["text"] = splitLines(o.Text)
	case "display_data", "execute_result":
		data := map[string]any{}
		for mime, v := range o.Data {
			if s, ok := v.(string); ok && splitMIME(mime) {
				data[mime] = splitLines(s)
			} else {
				data[mime] = v
			}
		}
		m["data"] = data
		m["metadata"] = object(o.Metadata)
		if o.Type == "execute_result" {
			m["execution_count"] = count(o.ExecutionCount)
		}
	case "error":
		m["ename"] = o.EName
		m["evalue"] = o.EValue
		tb := o.Traceback
		if tb == nil {
			tb = []string{}
		}
		m["traceback"] = tb
	}
	return m
}

// splitMIME reports whether nbformat writes values of MIME type mime as
// lists of lines: text/* and a few text-like types, but not base64 images.
func splitMIME(mime string) bool {
	return strings.HasPrefix(mime, "text/") || mime == "image/svg+xml" || mime == "application/javascript"
}

// splitLines splits s into lines that keep their line ends, at the same
// boundaries as Python's str.splitlines(True), which is what nbformat
// uses; joining the pieces gives s back.
func splitLines(s string) []string {
	lines := []string{}
	start := 0
	for i, r := range s {
		switch r {
		case '\n', '\v', '\f', '\x1c', '\x1d', '\x1e', '\u0085', '\u2028', '\u2029':
		case '\r':
			if i+1 < len(s) && s[i+1] == '\n' {
				continue // the line ends after the \n
			}
		default:
			continue
		}
		end := i + utf8.RuneLen(r)
		lines = append(lines, s[start:end])
		start = end
	}
	if start < len(s) {
		lines = append(lines, s[start:])
	}
	return lines
}

func object(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

func count(n int) any {
	if n == 0 {
		return nil
	}
	return n
}
