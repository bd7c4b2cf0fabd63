// A Go HTTP service that calls C through cgo: the binary links against libc, so the
// final image needs one (a Debian slim base, not scratch).
package main

/*
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

static int greeting_length(const char *name) { return (int)strlen(name) + 7; }
*/
import "C"

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
	"unsafe"
)

func handler(w http.ResponseWriter, r *http.Request) {
	name := C.CString("cgo")
	defer C.free(unsafe.Pointer(name))
	fmt.Fprintf(w, "{\"app\":\"cgo-hello\",\"pid\":%d,\"length\":%d}\n", int(C.getpid()), int(C.greeting_length(name)))
}

func main() {
	addr := ":8080"
	if port := os.Getenv("PORT"); port != "" {
		addr = ":" + port
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/", handler)
	server := &http.Server{Addr: addr, Handler: mux}
	go func() {
		if err := server.ListenAndServe(); err != nil && err != http.ErrServerClosed {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}()
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	<-stop
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = server.Shutdown(ctx)
}
