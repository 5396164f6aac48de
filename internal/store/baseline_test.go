package store

import (
	"context"
	"slices"
	"testing"
	"time"
)

func TestObserveSensitive(t *testing.T) {
	ctx := context.Background()
	s, err := openTest(t, ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	week := 7 * 24 * time.Hour
	steps := []struct {
		name  string
		res   string
		kinds []string
		at    time.Time
		want  []string
	}{
		{"learning: nothing reported", "r1", []string{"email_address"}, t0, nil},
		{"still learning", "r1", []string{"phone_number"}, t0.Add(24 * time.Hour), nil},
		{"after learning, a known type is quiet", "r1", []string{"email_address", "phone_number"}, t0.Add(8 * 24 * time.Hour), nil},
		{"after learning, a new type is reported once", "r1", []string{"email_address", "credit_card"}, t0.Add(9 * 24 * time.Hour), []string{"credit_card"}},
		{"and not again", "r1", []string{"credit_card"}, t0.Add(10 * 24 * time.Hour), nil},
		{"another resource learns on its own", "r2", []string{"credit_card"}, t0.Add(10 * 24 * time.Hour), nil},
	}
	for _, st := range steps {
		got, err := s.ObserveSensitive(ctx, "sub", st.res, st.kinds, st.at, week)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, st.want) {
			t.Errorf("%s: got %v, want %v", st.name, got, st.want)
		}
	}
}
