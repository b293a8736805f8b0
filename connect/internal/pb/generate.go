// Package pb holds the generated Go bindings for the subset of the Spark
// Connect protocol (protobuf package spark.connect) that sparkls uses.
//
// The sources are the trimmed .proto files under proto/spark/connect: same
// message names, field numbers and types as Apache Spark, but only the
// messages and fields sparkls needs. Do not edit the *.pb.go files; change
// the .proto files and run `go generate ./connect/internal/pb` (which runs
// scripts/gen-proto with the plugin versions pinned in tools/go.mod).
package pb

//go:generate ../../../scripts/gen-proto
