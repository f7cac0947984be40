// Command gohost-app is the example service the library deploys and the tests run: standard
// library only, /healthz, Prometheus metrics, pprof on loopback, graceful shutdown on SIGTERM.
// `gohost-app worker` is a background worker instead (worker.go): no HTTP port, health by sd_notify.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

func env(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "worker" {
		runWorker()
		return
	}
	listenAddr := env("LISTEN_ADDR", "127.0.0.1:"+env("PORT", "8080"))
	healthPath := env("HEALTH_PATH", "/healthz")
	pprofAddr := env("PPROF_ADDR", "127.0.0.1:6060")
	name := env("INSTANCE_NAME", hostname())
	drain, err := time.ParseDuration(env("DRAIN_TIMEOUT", "20s"))
	if err != nil {
		log.Fatalf("DRAIN_TIMEOUT: %v", err)
	}

	m := newMetrics()
	var draining atomic.Bool
	mux := http.NewServeMux()
	mux.HandleFunc(healthPath, func(w http.ResponseWriter, r *http.Request) {
		if draining.Load() {
			http.Error(w, "draining", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprintln(w, "ok")
	})
	// Metrics on a port of their own when METRICS_ADDR is set: the scraper then reaches no API path.
	metricsAddr := env("METRICS_ADDR", "")
	if metricsAddr == "" {
		mux.HandleFunc("/metrics", m.serve)
	}
	// /slow?ms=N answers after N milliseconds (at most 5 s): lets tests hold a request in flight.
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		ms, _ := strconv.Atoi(r.URL.Query().Get("ms"))
		if ms > 5000 {
			ms = 5000
		}
		time.Sleep(time.Duration(ms) * time.Millisecond)
		fmt.Fprintln(w, "done")
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			_, _ = io_discard(r)
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{
			"instance":   name,
			"path":       r.URL.Path,
			"request_id": r.Header.Get("X-Request-ID"),
			"proto":      r.Header.Get("X-Forwarded-Proto"),
			"real_ip":    r.Header.Get("X-Real-IP"),
		})
	})

	srv := &http.Server{
		Addr:              listenAddr,
		Handler:           m.instrument(mux),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		// Longer than nginx's upstream keepalive_timeout (60 s), so nginx closes idle connections first.
		IdleTimeout: 120 * time.Second,
		ConnState: func(_ net.Conn, state http.ConnState) {
			if state == http.StateNew {
				m.connections.Add(1)
			}
		},
	}
	ln, err := net.Listen("tcp", listenAddr)
	if err != nil {
		log.Fatalf("listen %s: %v", listenAddr, err)
	}

	// pprof is served on loopback only; a non-loopback address is refused.
	if pprofAddr != "off" {
		host, _, err := net.SplitHostPort(pprofAddr)
		if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
			log.Fatalf("PPROF_ADDR %q is not a loopback address", pprofAddr)
		}
		dbg := http.NewServeMux()
		dbg.HandleFunc("/debug/pprof/", pprof.Index)
		dbg.HandleFunc("/debug/pprof/profile", pprof.Profile)
		go func() {
			if err := http.ListenAndServe(pprofAddr, dbg); err != nil {
				log.Printf("pprof: %v", err)
			}
		}()
	}

	if metricsAddr != "" {
		mm := http.NewServeMux()
		mm.HandleFunc("/metrics", m.serve)
		metricsSrv := &http.Server{Addr: metricsAddr, Handler: mm, ReadHeaderTimeout: 10 * time.Second}
		go func() {
			if err := metricsSrv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
				log.Fatalf("metrics: %v", err)
			}
		}()
	}

	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Fatalf("serve: %v", err)
		}
	}()
	log.Printf("%s listening on %s (health %s)", name, listenAddr, healthPath)
	notify("READY=1")
	stopWatchdog := watchdog()
	defer stopWatchdog()

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	<-sig
	log.Printf("SIGTERM: draining for up to %s", drain)
	draining.Store(true)
	notify("STOPPING=1")
	ctx, cancel := context.WithTimeout(context.Background(), drain)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		log.Printf("shutdown: %v", err)
		os.Exit(1)
	}
	log.Printf("stopped cleanly")
}

func hostname() string {
	h, err := os.Hostname()
	if err != nil {
		return "unknown"
	}
	return h
}

func io_discard(r *http.Request) (int64, error) {
	buf := make([]byte, 32*1024)
	var n int64
	for {
		k, err := r.Body.Read(buf)
		n += int64(k)
		if err != nil {
			return n, nil
		}
	}
}

// notify sends a message to systemd's notification socket when the unit is Type=notify.
func notify(state string) {
	path := os.Getenv("NOTIFY_SOCKET")
	if path == "" {
		return
	}
	if strings.HasPrefix(path, "@") {
		path = "\x00" + path[1:]
	}
	conn, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		log.Printf("sd_notify: %v", err)
		return
	}
	defer conn.Close()
	_, _ = conn.Write([]byte(state))
}

// watchdog pings systemd at half of WatchdogSec when the unit asks for it.
func watchdog() func() {
	usec, err := strconv.ParseInt(os.Getenv("WATCHDOG_USEC"), 10, 64)
	if err != nil || usec <= 0 {
		return func() {}
	}
	t := time.NewTicker(time.Duration(usec) * time.Microsecond / 2)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-t.C:
				notify("WATCHDOG=1")
			case <-done:
				return
			}
		}
	}()
	return func() { t.Stop(); close(done) }
}
