//go:build unix

package results

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/parity-bench/parity"
)

// Lock claims name with an advisory lock on a small file in a
// "<database>.locks" folder beside the database. The operating system drops
// the lock when the process ends, however it ends, so a run killed with
// SIGKILL can be resumed at once, while a second process started on the
// same run by mistake is refused instead of paying twice for every answer.
func (db *DB) Lock(ctx context.Context, name string, wait bool) (func(), error) {
	if name == "" || strings.ContainsAny(name, `/\.`) {
		return nil, fmt.Errorf("lock %q: a lock name is letters, digits and dashes", name)
	}
	abs, err := filepath.Abs(db.path)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", name, err)
	}
	dir := abs + ".locks"
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("lock %s: %w", name, err)
	}
	f, err := os.OpenFile(filepath.Join(dir, name), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", name, err)
	}
	// A blocking flock cannot be interrupted (Go restarts it after a
	// signal), so waiting polls the non-blocking form and gives up when ctx
	// ends: Ctrl-C must stop a process queued behind a stuck one.
	for pause := 5 * time.Millisecond; ; pause = min(2*pause, 200*time.Millisecond) {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if !wait || !errors.Is(err, syscall.EWOULDBLOCK) {
			break
		}
		t := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			t.Stop()
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", name, ctx.Err())
		case <-t.C:
		}
	}
	if err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, parity.Errorf(parity.ErrBusy, "%s is being worked on by another parity process", name)
		}
		return nil, fmt.Errorf("lock %s: %w", name, err)
	}
	return func() {
		// Closing the descriptor releases the lock. The file stays: removing
		// it could let two processes lock two different files of one name.
		f.Close()
	}, nil
}

// Held reports whether a live process holds name. It creates nothing, so it
// suits read-only commands: a lock file that does not exist is not held.
func (db *DB) Held(ctx context.Context, name string) (bool, error) {
	abs, err := filepath.Abs(db.path)
	if err != nil {
		return false, err
	}
	f, err := os.Open(filepath.Join(abs+".locks", name))
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	defer f.Close()
	switch err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); {
	case err == nil:
		return false, nil // closing f releases the probe's own lock
	case errors.Is(err, syscall.EWOULDBLOCK):
		return true, nil
	default:
		return false, err
	}
}
