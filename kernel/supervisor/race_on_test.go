//go:build race

package supervisor

// raceBuild: the race runtime reserves address space of its own, so an
// RLIMIT_AS crash reads "address space collisions" instead of "out of memory".
const raceBuild = true
