// Pinned code generators for the project. Kept out of the main module so
// that generator dependencies never leak into sparkls' own go.mod.
module github.com/sparkls/sparkls/tools

go 1.26.8

tool (
	google.golang.org/grpc/cmd/protoc-gen-go-grpc
	google.golang.org/protobuf/cmd/protoc-gen-go
)

require (
	google.golang.org/grpc/cmd/protoc-gen-go-grpc v1.6.2 // indirect
	google.golang.org/protobuf v1.36.12 // indirect
)
