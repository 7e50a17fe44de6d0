package main

import (
	"strconv"
	"strings"
)

// parseShard reads --shard INDEX/COUNT; empty means the whole run.
func parseShard(s string) (index, count int, err error) {
	if s == "" {
		return 0, 0, nil
	}
	a, b, ok := strings.Cut(strings.TrimSpace(s), "/")
	index, err1 := strconv.Atoi(a)
	count, err2 := strconv.Atoi(b)
	switch {
	case !ok || err1 != nil || err2 != nil:
		return 0, 0, usagef("--shard %q is not valid: write INDEX/COUNT, e.g. --shard 1/4 on the first of four machines", s)
	case count < 2:
		return 0, 0, usagef("--shard %q: split into two shards or more, or leave --shard out to run everything here", s)
	case index < 1 || index > count:
		return 0, 0, usagef("--shard %q: number shards from 1 to %d", s, count)
	}
	return index, count, nil
}
