//go:build !unix

package results

import "context"

// Lock is a no-op where advisory file locks are not available: two
// processes on the same run are then caught only when the second tries to
// store a sample the first has stored.
func (db *DB) Lock(ctx context.Context, name string, wait bool) (func(), error) {
	return func() {}, nil
}

// Held cannot tell without advisory locks; it reports every name as held,
// so a run marked running is shown as running.
func (db *DB) Held(ctx context.Context, name string) (bool, error) {
	return true, nil
}
