package modelscan

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"time"
)

// Clamd asks a ClamAV daemon (clamd) about content through its INSTREAM
// command. Addr is "unix:/run/clamav/clamd.ctl" or "tcp:host:3310".
type Clamd struct {
	Addr    string
	Timeout time.Duration
}

// Scan streams r to clamd and returns the virus name it reports, or "".
func (c *Clamd) Scan(ctx context.Context, r io.Reader) (string, error) {
	network, addr, ok := strings.Cut(c.Addr, ":")
	if !ok || network != "unix" && network != "tcp" {
		return "", fmt.Errorf("clamd address %q: want unix:PATH or tcp:HOST:PORT", c.Addr)
	}
	t := c.Timeout
	if t == 0 {
		t = 2 * time.Minute
	}
	d := net.Dialer{Timeout: 10 * time.Second}
	conn, err := d.DialContext(ctx, network, addr)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(t))
	if _, err := conn.Write([]byte("zINSTREAM\x00")); err != nil {
		return "", err
	}
	buf := make([]byte, 64<<10)
	var size [4]byte
	for {
		n, err := r.Read(buf)
		if n > 0 {
			binary.BigEndian.PutUint32(size[:], uint32(n))
			if _, werr := conn.Write(size[:]); werr != nil {
				return "", werr
			}
			if _, werr := conn.Write(buf[:n]); werr != nil {
				return "", werr
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", err
		}
	}
	if _, err := conn.Write([]byte{0, 0, 0, 0}); err != nil {
		return "", err
	}
	reply, err := bufio.NewReader(conn).ReadString(0)
	if err != nil && err != io.EOF {
		return "", err
	}
	reply = strings.TrimRight(reply, "\x00\n")
	switch {
	case strings.HasSuffix(reply, " OK"):
		return "", nil
	case strings.HasSuffix(reply, " FOUND"):
		v := strings.TrimSuffix(strings.TrimPrefix(reply, "stream: "), " FOUND")
		return v, nil
	}
	return "", errors.New("clamd: " + reply)
}
