package corpus

import "errors"

// UserError is an error whose message is one plain sentence fit to show the
// person who caused it (a bad file, an empty query). Anything else is an
// internal error: the user sees a generic sentence and the log the chain.
type UserError struct {
	Msg string
	Err error // the cause, for the log; may be nil
}

func (e *UserError) Error() string {
	if e.Err != nil {
		return e.Msg + ": " + e.Err.Error()
	}
	return e.Msg
}

func (e *UserError) Unwrap() error { return e.Err }

// Userf returns a UserError with the message msg.
func Userf(msg string) error { return &UserError{Msg: msg} }

// UserMessage returns the user-facing sentence carried by err, if any.
func UserMessage(err error) (string, bool) {
	var ue *UserError
	if errors.As(err, &ue) {
		return ue.Msg, true
	}
	return "", false
}
