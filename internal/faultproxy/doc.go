// Package faultproxy is an HTTP reverse proxy for tests that stands in
// front of a real server (an S3 gateway, an OSS or MaxCompute emulator)
// and makes it misbehave the way a cloud service does on a bad day: error
// replies (500, 503, 429, or a permanent 403), connections reset
// mid-request, replies that arrive late, and requests that never get an
// answer.
//
// Faults are injected at a configurable rate, optionally only on some
// methods or paths, and are chosen from a seed. A request's fate depends
// only on the seed, its method and URL, and how many requests with the
// same method and URL came before it, so concurrent clients see the same
// faults on the same requests from one run to the next, whatever order
// their requests interleave in. Every injected fault is counted by kind,
// which lets a test prove that its retries were actually exercised.
//
// The proxy forwards the Host header unchanged, so signed requests (AWS
// SigV4, OSS V4) still verify at the server behind it.
package faultproxy
