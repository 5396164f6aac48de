package scan

// Holder is a detector that knows the shapes of the values it blocks, so a
// stream can hold back the trailing text that could still grow into one:
// releasing text only once no match can start in it is what keeps every
// character of a blocked value from the client.
type Holder interface {
	// Hold returns the offset in text (the part so far, of role) from
	// which the tail could still become a value this detector blocks;
	// len(text) when nothing need be held. from is where the previous
	// call's hold began: text before it has been released and is never
	// held again, so only text[from:] need be read.
	Hold(role Role, text string, from int) int
}

// Hold returns the offset from which the pipeline's detectors hold text of
// role back (the earliest of theirs), never before from.
func (p *Pipeline) Hold(role Role, text string, from int) int {
	h := len(text)
	for _, d := range p.detectors {
		if hd, ok := d.(Holder); ok {
			h = min(h, hd.Hold(role, text, from))
		}
	}
	return max(h, from)
}
