// Package tools holds Warden's build-time generators and the tests that
// compare Warden with the libraries its data comes from (gitleaks,
// Unicode confusables). It is its own Go module so that those libraries,
// and what they pull in (viper, zerolog, a TOML parser), stay out of the
// main module's go.sum and out of the binary: the generators write data
// files the binary embeds, and only they need the libraries. Run them
// with go generate in the main module; test them with
// `cd tools && go test ./...`.
package tools
