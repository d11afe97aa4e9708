package tpm

import "testing"

func BenchmarkNVRead2048(b *testing.B) {
	tp, err := Open(ctx, "sim:1")
	if err != nil {
		b.Fatal(err)
	}
	defer tp.Close()
	if err := tp.NVDefine(ctx, 0x01500020, 2048, testNVAttrs); err != nil {
		b.Fatal(err)
	}
	if err := tp.NVWrite(ctx, 0x01500020, make([]byte, 2048)); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := tp.NVRead(ctx, 0x01500020); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReadPCRs(b *testing.B) {
	tp, err := Open(ctx, "sim:1")
	if err != nil {
		b.Fatal(err)
	}
	defer tp.Close()
	for b.Loop() {
		if _, err := tp.ReadPCRs(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
