package health

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests if a write probe is left running.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
