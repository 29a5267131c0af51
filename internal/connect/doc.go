// Package connect opens the providers a configuration declares, by
// address, lazily and once each, and chooses copy engines. It is the one
// place that knows every provider implementation.
package connect
