package interaction

import "context"

// Lister pages through interaction records (the store's Interactions).
type Lister func(ctx context.Context, f Filter) ([]Record, string, error)

// Collect reads every record f selects, page after page, up to most; more
// is set when there were more than most. Reports and jobs that need a
// whole period use it rather than each walking the cursor.
func Collect(ctx context.Context, list Lister, f Filter, most int) (rs []Record, more bool, err error) {
	if f.Limit <= 0 {
		f.Limit = 1000
	}
	for {
		page, next, err := list(ctx, f)
		if err != nil {
			return nil, false, err
		}
		rs = append(rs, page...)
		if next == "" {
			return rs, false, nil
		}
		if len(rs) >= most {
			return rs, true, nil
		}
		f.Cursor = next
	}
}
