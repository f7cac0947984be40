package main

import (
	"errors"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"
)

// runWorker is the app's worker mode (`gohost-app worker`): no HTTP port, a loop of jobs, health
// by sd_notify (READY=1 once it works, WATCHDOG=1 from the job loop itself, so a hung loop stops
// the pings and systemd restarts it). SIGTERM lets the job in flight finish; SIGUSR1 hangs the
// loop (the tests' switch for the watchdog).
func runWorker() {
	name := env("INSTANCE_NAME", hostname())
	interval, err := time.ParseDuration(env("JOB_INTERVAL", "1s"))
	if err != nil || interval <= 0 {
		log.Fatalf("JOB_INTERVAL: %q is not a positive duration", env("JOB_INTERVAL", ""))
	}
	duration, err := time.ParseDuration(env("JOB_DURATION", "200ms"))
	if err != nil || duration < 0 {
		log.Fatalf("JOB_DURATION: %q is not a duration", env("JOB_DURATION", ""))
	}
	var jobs atomic.Uint64
	if addr := env("METRICS_ADDR", ""); addr != "" {
		mux := http.NewServeMux()
		mux.HandleFunc("/metrics", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/plain; version=0.0.4")
			fmt.Fprintf(w, "# HELP worker_jobs_processed_total Jobs finished.\n# TYPE worker_jobs_processed_total counter\nworker_jobs_processed_total %d\n", jobs.Load())
		})
		srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
		go func() {
			if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
				log.Fatalf("metrics: %v", err)
			}
		}()
	}

	// Pings at half of WatchdogSec, from the loop that does the work.
	ping := time.Duration(1<<62 - 1)
	if usec, err := strconv.ParseInt(os.Getenv("WATCHDOG_USEC"), 10, 64); err == nil && usec > 0 {
		ping = time.Duration(usec) * time.Microsecond / 2
	}
	pings := time.NewTicker(ping)
	defer pings.Stop()
	work := time.NewTicker(interval)
	defer work.Stop()
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	hang := make(chan os.Signal, 1)
	signal.Notify(hang, syscall.SIGUSR1)

	log.Printf("%s worker started (a job every %s)", name, interval)
	notify("READY=1")
	for {
		select {
		case <-sig:
			// The loop is here only between jobs: the one in flight has finished.
			notify("STOPPING=1")
			log.Printf("SIGTERM: stopped cleanly after %d jobs", jobs.Load())
			return
		case <-hang:
			log.Printf("SIGUSR1: the job loop hangs (no more watchdog pings)")
			select {}
		case <-pings.C:
			notify("WATCHDOG=1")
		case <-work.C:
			// A stop that arrived with the tick wins: no new job once SIGTERM came.
			select {
			case s := <-sig:
				sig <- s
				continue
			default:
			}
			n := jobs.Load() + 1
			log.Printf("job %d started", n)
			time.Sleep(duration)
			jobs.Add(1)
			log.Printf("job %d finished", n)
			notify("WATCHDOG=1")
		}
	}
}
