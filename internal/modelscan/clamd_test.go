package modelscan

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"io"
	"net"
	"os"
	"strings"
	"testing"
)

// fakeClamd speaks clamd's INSTREAM protocol and reports FOUND when the
// stream holds the EICAR signature.
func fakeClamd(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func(c net.Conn) {
				defer c.Close()
				r := bufio.NewReader(c)
				cmd, _ := r.ReadString(0)
				if cmd != "zINSTREAM\x00" {
					io.WriteString(c, "UNKNOWN COMMAND\x00")
					return
				}
				var data []byte
				for {
					var n [4]byte
					if _, err := io.ReadFull(r, n[:]); err != nil {
						return
					}
					k := binary.BigEndian.Uint32(n[:])
					if k == 0 {
						break
					}
					b := make([]byte, k)
					io.ReadFull(r, b)
					data = append(data, b...)
				}
				if bytes.Contains(data, eicar) {
					io.WriteString(c, "stream: Win.Test.EICAR_HDB-1 FOUND\x00")
				} else {
					io.WriteString(c, "stream: OK\x00")
				}
			}(c)
		}
	}()
	return "tcp:" + ln.Addr().String()
}

func TestClamd(t *testing.T) {
	addr := os.Getenv("WARDEN_TEST_CLAMD")
	if addr == "" {
		addr = fakeClamd(t) // the protocol, against a stand-in; set WARDEN_TEST_CLAMD for a real clamd
	}
	c := &Clamd{Addr: addr}
	v, err := c.Scan(context.Background(), bytes.NewReader(eicar))
	if err != nil || !strings.Contains(v, "EICAR") && !strings.Contains(v, "Eicar") {
		t.Errorf("EICAR: got %q, %v", v, err)
	}
	v, err = c.Scan(context.Background(), strings.NewReader("just some bytes"))
	if err != nil || v != "" {
		t.Errorf("clean: got %q, %v", v, err)
	}
	if _, err := (&Clamd{Addr: "ftp:x"}).Scan(context.Background(), strings.NewReader("")); err == nil {
		t.Error("bad address: no error")
	}
}
