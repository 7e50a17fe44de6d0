package parity

import (
	"errors"
	"fmt"
)

// ErrorCode classifies failures so callers can decide whether to retry,
// which outcome to record and which exit code to use.
type ErrorCode string

// The error codes.
const (
	ErrUsage          ErrorCode = "usage"           // bad flags or arguments
	ErrConfig         ErrorCode = "config"          // bad or missing configuration file
	ErrCredentials    ErrorCode = "credentials"     // API key missing or rejected
	ErrBalance        ErrorCode = "balance"         // insufficient balance or quota
	ErrRateLimit      ErrorCode = "rate_limit"      // 429 after all retries
	ErrServer         ErrorCode = "server"          // 5xx after all retries
	ErrNetwork        ErrorCode = "network"         // connection failures after all retries
	ErrTimeout        ErrorCode = "timeout"         // request deadline exceeded
	ErrInvalidRequest ErrorCode = "invalid_request" // the API rejected the request as malformed
	ErrNotFound       ErrorCode = "not_found"       // unknown model, run or suite
	ErrContentFilter  ErrorCode = "content_filter"  // moderation refused the prompt or answer
	ErrBadResponse    ErrorCode = "bad_response"    // the API answered something unreadable
	ErrInterrupted    ErrorCode = "interrupted"     // the user stopped the program
	ErrPartial        ErrorCode = "partial"         // a run ended with samples missing
	ErrBudget         ErrorCode = "budget"          // a cost limit stopped the run
	ErrBusy           ErrorCode = "busy"            // another process is working on the same run
	ErrDrift          ErrorCode = "drift"           // a drift canary found a model changed since its baseline
	ErrInternal       ErrorCode = "internal"
)

// Error is an error with a code. Message is written for the person running
// parity: what went wrong and what to do about it.
type Error struct {
	Code    ErrorCode
	Message string
	Err     error
}

// Error returns the message, followed by the wrapped error when there is one.
func (e *Error) Error() string {
	if e.Err != nil && e.Message == "" {
		return e.Err.Error()
	}
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

// Unwrap returns the wrapped error, so errors.Is and errors.As see through.
func (e *Error) Unwrap() error { return e.Err }

// Errorf builds an *Error with a formatted message.
func Errorf(code ErrorCode, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// CodeOf returns the code of the first *Error in err's chain, or
// ErrInternal when there is none.
func CodeOf(err error) ErrorCode {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ErrInternal
}
