// Package initcfg writes a starting ferry configuration from a live
// Redshift source: the source block with its password as a sensitive
// variable, placeholder staging, landing and target blocks marked TODO,
// and one migration selecting the tables the user chose. It backs
// `ferry init --from-redshift`.
package initcfg
