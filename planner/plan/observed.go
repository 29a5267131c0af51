package plan

// Keys of the facts an action records in its state resource's Observed
// map, which the next plan compares with what it observes.
const (
	ObsRows     = "rows"          // unload: source rows at plan time; load: rows loaded
	ObsBytes    = "bytes"         // unload: source bytes; copy: bytes copied
	ObsVersion  = "version"       // unload: source table version token
	ObsFiles    = "files"         // unload: data files written
	ObsManifest = "manifest_rows" // unload: rows the manifest counts
	ObsObjects  = "objects"       // copy: objects at the destination
)
