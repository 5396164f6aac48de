package config

import (
	"fmt"
	"os"

	"github.com/wardenhq/warden/internal/sensitive"
)

// Classifier builds the sensitive-data classifier the section describes:
// built-in types, custom types and exact-data sets. An error names the
// type or file at fault.
func (s Sensitive) Classifier() (*sensitive.Classifier, error) {
	var sets []*sensitive.ExactData
	for i, e := range s.ExactData {
		if e.Type == "" || e.HashesFile == "" {
			return nil, fmt.Errorf("exact_data[%d]: type and hashes_file are required", i)
		}
		f, err := os.Open(e.HashesFile)
		if err != nil {
			return nil, fmt.Errorf("exact_data[%d]: %w", i, err)
		}
		d, err := sensitive.LoadExactData(e.Type, []byte(e.Key), f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("exact_data[%d]: %w", i, err)
		}
		sets = append(sets, d)
	}
	c, err := sensitive.Build(s.CustomTypes, sets...)
	if err == nil && s.NameModel != nil && !*s.NameModel {
		c.NoNameModel()
	}
	return c, err
}
