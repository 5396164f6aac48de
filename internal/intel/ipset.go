package intel

import (
	"bufio"
	"fmt"
	"io"
	"net/netip"
	"slices"
	"strings"
)

// IPSet is a set of addresses and networks as sorted, merged ranges: a
// lookup is a binary search, whatever the number of entries.
type IPSet struct {
	v4 []rng4
	v6 []rng6
}

type rng4 struct{ lo, hi uint32 }

type rng6 struct{ lo, hi [16]byte }

// Len returns the number of merged ranges.
func (s *IPSet) Len() int { return len(s.v4) + len(s.v6) }

// Contains reports whether a is in the set.
func (s *IPSet) Contains(a netip.Addr) bool {
	if s == nil {
		return false
	}
	a = a.Unmap()
	if a.Is4() {
		b := a.As4()
		x := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
		i, _ := slices.BinarySearchFunc(s.v4, x, func(r rng4, x uint32) int {
			switch {
			case r.hi < x:
				return -1
			case r.lo > x:
				return 1
			}
			return 0
		})
		return i < len(s.v4) && s.v4[i].lo <= x && x <= s.v4[i].hi
	}
	x := a.As16()
	i, _ := slices.BinarySearchFunc(s.v6, x, func(r rng6, x [16]byte) int {
		switch {
		case string(r.hi[:]) < string(x[:]):
			return -1
		case string(r.lo[:]) > string(x[:]):
			return 1
		}
		return 0
	})
	return i < len(s.v6) && string(s.v6[i].lo[:]) <= string(x[:]) && string(x[:]) <= string(s.v6[i].hi[:])
}

// ReadIPSet reads addresses, CIDR networks and ranges ("a - b"), one a line;
// Tor's bulk exit list ("ExitAddress 1.2.3.4 2026-01-01 00:00:00") and
// comments (#, ;) are understood. A line that is none of these is an error
// naming it: a malformed feed is refused whole, not half loaded.
func ReadIPSet(r io.Reader) (*IPSet, error) {
	var v4 []rng4
	var v6 []rng6
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if i := strings.IndexAny(line, "#;"); i >= 0 {
			line = line[:i]
		}
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		switch f[0] {
		case "ExitAddress":
			if len(f) < 2 {
				return nil, fmt.Errorf("line %d: ExitAddress without an address", n)
			}
			f = f[1:2]
		case "ExitNode", "Published", "LastStatus":
			continue
		}
		text := strings.Join(f, "")
		lo, hi, err := parseRange(text)
		if err != nil {
			return nil, fmt.Errorf("line %d: %q: %w", n, text, err)
		}
		if lo.Is4() {
			v4 = append(v4, rng4{u32(lo), u32(hi)})
		} else {
			v6 = append(v6, rng6{lo.As16(), hi.As16()})
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return &IPSet{v4: merge4(v4), v6: merge6(v6)}, nil
}

func u32(a netip.Addr) uint32 {
	b := a.As4()
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

// parseRange reads an address, a CIDR or "lo-hi".
func parseRange(s string) (netip.Addr, netip.Addr, error) {
	if lo, hi, ok := strings.Cut(s, "-"); ok {
		a, err1 := netip.ParseAddr(lo)
		b, err2 := netip.ParseAddr(hi)
		if err1 != nil || err2 != nil || a.Unmap().Is4() != b.Unmap().Is4() || b.Less(a) {
			return netip.Addr{}, netip.Addr{}, fmt.Errorf("not an address range")
		}
		return a.Unmap(), b.Unmap(), nil
	}
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Addr{}, netip.Addr{}, fmt.Errorf("not a network")
		}
		p = p.Masked()
		lo := p.Addr().Unmap()
		bits := p.Bits()
		if p.Addr().Is4In6() {
			bits -= 96
		}
		if lo.Is4() {
			x := u32(lo)
			h := x | (uint32(1)<<(32-bits) - 1)
			if bits == 0 {
				h = 0xffffffff
			}
			return lo, netip.AddrFrom4([4]byte{byte(h >> 24), byte(h >> 16), byte(h >> 8), byte(h)}), nil
		}
		b := lo.As16()
		for i := bits; i < 128; i++ {
			b[i/8] |= 1 << (7 - i%8)
		}
		return lo, netip.AddrFrom16(b), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, netip.Addr{}, fmt.Errorf("not an address")
	}
	return a.Unmap(), a.Unmap(), nil
}

func merge4(rs []rng4) []rng4 {
	slices.SortFunc(rs, func(a, b rng4) int {
		if a.lo < b.lo {
			return -1
		}
		if a.lo > b.lo {
			return 1
		}
		return 0
	})
	out := rs[:0]
	for _, r := range rs {
		if n := len(out); n > 0 && (r.lo <= out[n-1].hi || out[n-1].hi != 0xffffffff && r.lo == out[n-1].hi+1) {
			out[n-1].hi = max(out[n-1].hi, r.hi)
			continue
		}
		out = append(out, r)
	}
	return slices.Clip(out)
}

func merge6(rs []rng6) []rng6 {
	slices.SortFunc(rs, func(a, b rng6) int { return strings.Compare(string(a.lo[:]), string(b.lo[:])) })
	out := rs[:0]
	for _, r := range rs {
		if n := len(out); n > 0 && string(r.lo[:]) <= string(out[n-1].hi[:]) {
			if string(r.hi[:]) > string(out[n-1].hi[:]) {
				out[n-1].hi = r.hi
			}
			continue
		}
		out = append(out, r)
	}
	return slices.Clip(out)
}
