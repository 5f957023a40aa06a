package runtime

import (
	"testing"
	"time"
)

// BenchmarkTwoWorkers runs rt.CountPrimes(2, 1e6) on 1 and on 2 workers
// under Free, Isolates and GIL, alternating, and reports the speed-up
// 2·T(1)/T(2), the cores the 2-worker run used, what other processes used
// meanwhile, and the CPU per job at 1 and 2 workers. It tells a defect of
// one model (more CPU per job at 2 workers: something shared; fewer cores
// with none taken by others: something serialised) from load on a shared
// machine (issue 8 §4: free once stayed at 1.03× while isolates reached
// 1.95×).
//
//	go test -run '^$' -bench TwoWorkers -benchtime 10x ./runtime/
func BenchmarkTwoWorkers(b *testing.B) {
	for _, m := range []Model{Free, Isolates, GIL} {
		b.Run(string(m), func(b *testing.B) {
			var t1, t2, cpu1, cpu2 time.Duration
			var cores, other float64
			for i := 0; i < b.N; i++ {
				r1 := Run(m, 1, CountPrimes, 2, 1_000_000)
				r2 := Run(m, 2, CountPrimes, 2, 1_000_000)
				t1, t2 = t1+r1.Wall(), t2+r2.Wall()
				cpu1, cpu2 = cpu1+r1.Measurement.CPU(), cpu2+r2.Measurement.CPU()/2
				cores += r2.Cores()
				other += r2.Measurement.OtherCores()
			}
			n := float64(b.N)
			b.ReportMetric(2*float64(t1)/float64(t2), "speedup")
			b.ReportMetric(cores/n, "cores@2")
			b.ReportMetric(other/n, "others@2")
			b.ReportMetric(float64(cpu1)/n/1e6, "cpu-ms/job@1")
			b.ReportMetric(float64(cpu2)/n/1e6, "cpu-ms/job@2")
		})
	}
}
