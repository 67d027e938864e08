package route

// Table finds the best matching entry for a method and path. It is built
// once per configuration and then only read, so it needs no locking.
type Table[T any] struct {
	byMethod map[string][]entry[T]
}

type entry[T any] struct {
	tmpl  *Template
	value T
}

// Add registers value for the method and template. Callers check for
// duplicates before adding: the first of two equal templates wins.
func (tb *Table[T]) Add(method string, t *Template, value T) {
	if tb.byMethod == nil {
		tb.byMethod = map[string][]entry[T]{}
	}
	tb.byMethod[method] = append(tb.byMethod[method], entry[T]{tmpl: t, value: value})
}

// Lookup returns the value of the most specific template matching path
// for method, and whether one matched.
func (tb *Table[T]) Lookup(method, path string) (T, bool) {
	var (
		best  *entry[T]
		found T
	)
	entries := tb.byMethod[method]
	for i := range entries {
		e := &entries[i]
		if !e.tmpl.Match(path) {
			continue
		}
		if best == nil || moreSpecific(e.tmpl, best.tmpl) {
			best = e
		}
	}
	if best == nil {
		return found, false
	}
	return best.value, true
}

// moreSpecific ranks a over b: more literal segments first, then a template
// without a trailing {name...}. Equal ranks keep the earlier entry.
func moreSpecific(a, b *Template) bool {
	if a.literals != b.literals {
		return a.literals > b.literals
	}
	return !a.rest && b.rest
}
