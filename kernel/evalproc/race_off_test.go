//go:build !race

package evalproc

const raceBuild = false
