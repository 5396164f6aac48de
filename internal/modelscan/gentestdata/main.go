// Command gentestdata writes the model scanner's test files into
// internal/modelscan/testdata: benign models of every format, and one file
// per published scanner bypass that can be reproduced without Python
// (../shared/design/model-scanners.md), each with the severity and rule the
// scanner must report, in expect.json. The payloads only name dangerous
// callables (os.system("id") and the like); nothing here is live malware.
//
//	go run ./internal/modelscan/gentestdata internal/modelscan/testdata
package main

import (
	"bytes"
	"encoding/json"
	"log"
	"os"
	"path/filepath"
	"sort"

	"github.com/wardenhq/warden/internal/modelscan/fixtures"
)

func main() {
	if len(os.Args) != 2 {
		log.Fatal("usage: gentestdata DIR")
	}
	dir := os.Args[1]
	fx := fixtures.All()
	expect := map[string]fixtures.Expect{}
	for _, f := range fx {
		if err := os.WriteFile(filepath.Join(dir, f.Name), f.Data, 0o644); err != nil {
			log.Fatal(err)
		}
		expect[f.Name] = f.Expect
	}
	names := make([]string, 0, len(expect))
	for n := range expect {
		names = append(names, n)
	}
	sort.Strings(names)
	var b bytes.Buffer
	b.WriteString("{\n")
	for i, n := range names {
		e, _ := json.Marshal(expect[n])
		k, _ := json.Marshal(n)
		b.Write(k)
		b.WriteString(": ")
		b.Write(e)
		if i < len(names)-1 {
			b.WriteString(",")
		}
		b.WriteString("\n")
	}
	b.WriteString("}\n")
	if err := os.WriteFile(filepath.Join(dir, "expect.json"), b.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
	log.Printf("wrote %d files", len(fx))
}
