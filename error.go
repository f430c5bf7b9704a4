package xinfang

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Error codes. Only the HTTP layer maps them to status codes.
const (
	EINVALID      = "invalid"
	ENOTFOUND     = "not_found"
	ECONFLICT     = "conflict"
	EFORBIDDEN    = "forbidden"
	EUNAUTHORIZED = "unauthorized"
	ETHROTTLED    = "throttled" // too many attempts from one client: try again later
	ETOOLARGE     = "too_large" // a request body over its route's limit
	EINTERNAL     = "internal"
)

// Error is the one error type of the application. Message is shown to the
// user (Simplified Chinese); Fields carries per-field detail for validation.
type Error struct {
	Code    string
	Message string
	Fields  map[string]string
}

func (e *Error) Error() string {
	if len(e.Fields) == 0 {
		return fmt.Sprintf("xinfang error: code=%s message=%s", e.Code, e.Message)
	}
	keys := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, " %s=%q", k, e.Fields[k])
	}
	return fmt.Sprintf("xinfang error: code=%s message=%s fields:%s", e.Code, e.Message, b.String())
}

// Errorf returns an *Error with the given code and formatted message.
func Errorf(code string, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of err, EINTERNAL for errors that are not *Error
// and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message of err; internal errors get a
// generic message so that no detail leaks.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "系统内部错误，请稍后重试"
}

// ErrorFields returns the per-field detail of err, if any.
func ErrorFields(err error) map[string]string {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}

// Problems collects per-field validation messages.
type Problems map[string]string

// Add records msg for field unless a message for it is already present.
func (p Problems) Add(field, msg string) {
	if _, ok := p[field]; !ok {
		p[field] = msg
	}
}

// Err returns nil when there are no problems, or an EINVALID *Error naming
// every field.
func (p Problems) Err() error {
	if len(p) == 0 {
		return nil
	}
	keys := make([]string, 0, len(p))
	for k := range p {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	msgs := make([]string, 0, len(keys))
	for _, k := range keys {
		msgs = append(msgs, k+": "+p[k])
	}
	return &Error{Code: EINVALID, Message: "输入有误：" + strings.Join(msgs, "；"), Fields: map[string]string(p)}
}

// FieldError returns an EINVALID error for a single field.
func FieldError(field, msg string) *Error {
	return &Error{Code: EINVALID, Message: "输入有误：" + field + ": " + msg, Fields: map[string]string{field: msg}}
}
