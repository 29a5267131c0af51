package cli

import (
	"errors"

	"github.com/ferry-dev/ferry/state"
)

func asStateError(err error, target **state.Error) bool { return errors.As(err, target) }
