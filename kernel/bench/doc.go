// Package bench is `corelab bench kernel`: the start-up time and the
// round-trip time of an empty execute_request of the corelab kernel next to
// ipykernel's, measured in the same run through the same client, and the
// cost of the pipe to corelab's evaluator child.
//
//	corelab bench kernel [-n 200] [-starts 5] [-python /usr/bin/python3] [-no-ipykernel]
package bench
