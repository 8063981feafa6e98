package storagetest

import "testing"

func BenchmarkBuildBig(b *testing.B) {
	for b.Loop() {
		Big(b, 1_000_000)
	}
}
