// Package faults holds Warden's fault suite: tests that run the real
// binary on loopback and break things around it (kill -9 under load, a
// locked store, a receiver that fails and comes back, slow clients, a
// huge stream) and assert what users rely on: no alert a client saw
// blocked is lost, every stored alert reaches the sink, memory stays
// bounded. It has no code of its own; run it with WARDEN_FAULTS=1 (CI
// does).
package faults
