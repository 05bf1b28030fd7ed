"""Code generation from proto/: our protoc-gen-openapi plugin and the `make` driver."""
