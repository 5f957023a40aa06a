//go:build race

package runtime

// raceBuild: built with the race detector.
const raceBuild = true
