// Package scratch is the record form of the scratch files the reports
// write while they work (a snapshot's spools and item files, a large
// leaderboard's per-item tallies): each record is its strings, each as its
// length and its bytes, then its numbers, all as unsigned varints.
package scratch

import (
	"bufio"
	"encoding/binary"
	"errors"
	"io"
)

// AppendRecord appends one record to b.
func AppendRecord(b []byte, fields []string, nums ...uint64) []byte {
	for _, s := range fields {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	for _, v := range nums {
		b = binary.AppendUvarint(b, v)
	}
	return b
}

// ReadRecord reads back a record AppendRecord wrote with as many strings
// and numbers as fields and nums hold; ok is false at the end of the input.
func ReadRecord(r *bufio.Reader, fields []string, nums []uint64) (ok bool, err error) {
	for i := range fields {
		n, err := binary.ReadUvarint(r)
		if i == 0 && errors.Is(err, io.EOF) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		b := make([]byte, n)
		if _, err := io.ReadFull(r, b); err != nil {
			return false, err
		}
		fields[i] = string(b)
	}
	for i := range nums {
		v, err := binary.ReadUvarint(r)
		if err != nil {
			return false, err
		}
		nums[i] = v
	}
	return true, nil
}
