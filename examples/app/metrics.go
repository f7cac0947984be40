package main

import (
	"fmt"
	"net/http"
	"os"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// Buckets in seconds for the request duration histogram (the p99 SLO default is 0.3 s).
var buckets = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2.5, 5}

type histogram struct {
	counts []uint64
	sum    float64
	count  uint64
}

type metrics struct {
	// Connections accepted: with keep-alive from a proxy, far fewer than requests.
	connections atomic.Uint64
	mu          sync.Mutex
	requests    map[string]uint64 // by status code
	duration    histogram
}

func newMetrics() *metrics {
	return &metrics{requests: map[string]uint64{}, duration: histogram{counts: make([]uint64, len(buckets))}}
}

type recorder struct {
	http.ResponseWriter
	status int
}

func (r *recorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func (m *metrics) instrument(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &recorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		if r.URL.Path == "/metrics" {
			return
		}
		elapsed := time.Since(start).Seconds()
		m.mu.Lock()
		defer m.mu.Unlock()
		m.requests[fmt.Sprint(rec.status)]++
		m.duration.count++
		m.duration.sum += elapsed
		for i, b := range buckets {
			if elapsed <= b {
				m.duration.counts[i]++
			}
		}
	})
}

// residentBytes reads the resident set from /proc/self/statm (pages).
func residentBytes() int64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return -1
	}
	var size, resident int64
	if _, err := fmt.Sscan(string(b), &size, &resident); err != nil {
		return -1
	}
	return resident * int64(os.Getpagesize())
}

func openFDs() int {
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return -1
	}
	return len(entries)
}

// serve writes the Prometheus text exposition format by hand (standard library only).
func (m *metrics) serve(w http.ResponseWriter, _ *http.Request) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	w.Header().Set("Content-Type", "text/plain; version=0.0.4")
	fmt.Fprintf(w, "# HELP go_goroutines Number of goroutines.\n# TYPE go_goroutines gauge\ngo_goroutines %d\n", runtime.NumGoroutine())
	fmt.Fprintf(w, "# HELP go_memstats_heap_inuse_bytes Heap bytes in use.\n# TYPE go_memstats_heap_inuse_bytes gauge\ngo_memstats_heap_inuse_bytes %d\n", ms.HeapInuse)
	fmt.Fprintf(w, "# HELP go_memstats_sys_bytes Bytes obtained from the OS.\n# TYPE go_memstats_sys_bytes gauge\ngo_memstats_sys_bytes %d\n", ms.Sys)
	// Names as client_golang's Go and process collectors write them, so the library's alerts fit any Go service.
	fmt.Fprintf(w, "# HELP go_gc_duration_seconds GC stop-the-world pause durations.\n# TYPE go_gc_duration_seconds summary\ngo_gc_duration_seconds_sum %g\ngo_gc_duration_seconds_count %d\n", float64(ms.PauseTotalNs)/1e9, ms.NumGC)
	fmt.Fprintf(w, "# HELP process_open_fds Open file descriptors.\n# TYPE process_open_fds gauge\nprocess_open_fds %d\n", openFDs())
	fmt.Fprintf(w, "# HELP process_resident_memory_bytes Resident memory.\n# TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes %d\n", residentBytes())

	fmt.Fprintf(w, "# HELP http_server_connections_opened_total Connections accepted.\n# TYPE http_server_connections_opened_total counter\nhttp_server_connections_opened_total %d\n", m.connections.Load())

	m.mu.Lock()
	defer m.mu.Unlock()
	codes := make([]string, 0, len(m.requests))
	for c := range m.requests {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	fmt.Fprintf(w, "# HELP http_requests_total HTTP requests by status code.\n# TYPE http_requests_total counter\n")
	for _, c := range codes {
		fmt.Fprintf(w, "http_requests_total{code=%q} %d\n", c, m.requests[c])
	}
	fmt.Fprintf(w, "# HELP http_request_duration_seconds Request duration.\n# TYPE http_request_duration_seconds histogram\n")
	for i, b := range buckets {
		fmt.Fprintf(w, "http_request_duration_seconds_bucket{le=\"%g\"} %d\n", b, m.duration.counts[i])
	}
	fmt.Fprintf(w, "http_request_duration_seconds_bucket{le=\"+Inf\"} %d\n", m.duration.count)
	fmt.Fprintf(w, "http_request_duration_seconds_sum %g\nhttp_request_duration_seconds_count %d\n", m.duration.sum, m.duration.count)
}
