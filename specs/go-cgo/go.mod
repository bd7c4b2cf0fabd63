module example.org/cgo-hello

go 1.19
