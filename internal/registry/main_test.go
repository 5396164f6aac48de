package registry

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests if any goroutine is left running
// after them: every loop and request this package starts must end.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
