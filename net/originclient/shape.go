package originclient

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
)

// ErrNotAPI means the origin URL answered 200 with JSON that is none of
// segue's API objects (another program's API at that address or path):
// an object where a list was asked for, or a JSON object none of whose
// keys is a field of what was asked for. The latter decodes, to an empty
// album or playlist, which a command then printed as its answer with exit
// status 0 (playlist create said it made one).
var ErrNotAPI = errors.New("the origin's answer is not segue's API")

// checkShape returns ErrNotAPI when b is a JSON object with keys, none of
// them a JSON field of the struct v points to. Any other v, and an answer
// that shares a key (a newer origin may add fields), passes.
func checkShape(b []byte, v any) error {
	t := reflect.TypeOf(v)
	if t == nil || t.Kind() != reflect.Pointer || t.Elem().Kind() != reflect.Struct {
		return nil
	}
	var keys map[string]json.RawMessage
	if json.Unmarshal(b, &keys) != nil || len(keys) == 0 {
		return nil
	}
	fields := map[string]bool{}
	jsonFields(t.Elem(), fields)
	for k := range keys {
		if fields[strings.ToLower(k)] {
			return nil
		}
	}
	return ErrNotAPI
}

// jsonFields adds the lower-cased JSON names of t's fields (those of
// embedded structs too), as encoding/json matches them.
func jsonFields(t reflect.Type, into map[string]bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if f.Anonymous && name == "" {
			if ft := f.Type; ft.Kind() == reflect.Struct {
				jsonFields(ft, into)
				continue
			} else if ft.Kind() == reflect.Pointer && ft.Elem().Kind() == reflect.Struct {
				jsonFields(ft.Elem(), into)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		into[strings.ToLower(name)] = true
	}
}
