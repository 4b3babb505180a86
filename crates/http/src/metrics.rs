//! Prometheus metrics: request counts by method, route and status, and a latency histogram.

use std::{
    collections::BTreeMap,
    fmt::Write,
    sync::{
        Mutex,
        atomic::{AtomicI64, Ordering},
    },
};

const BUCKETS: [f64; 12] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0];

#[derive(Debug, Default)]
struct Series {
    count: u64,
    sum: f64,
    buckets: [u64; BUCKETS.len()],
}

/// In-process metrics registry.
#[derive(Debug, Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, String, u16), Series>>,
    in_flight: AtomicI64,
}

/// One request in flight, counted until dropped (answered, or cut off).
#[derive(Debug)]
pub struct InFlight(actix_web::web::Data<Metrics>);

impl InFlight {
    /// Counts a request that begins.
    pub fn begin(metrics: actix_web::web::Data<Metrics>) -> Self {
        metrics.in_flight.fetch_add(1, Ordering::Relaxed);
        Self(metrics)
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Metrics {
    /// Records one request.
    pub fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let Ok(mut map) = self.requests.lock() else { return };
        let s = map.entry((method.to_owned(), route.to_owned(), status)).or_default();
        s.count += 1;
        s.sum += seconds;
        for (i, b) in BUCKETS.iter().enumerate() {
            if seconds <= *b {
                s.buckets[i] += 1;
            }
        }
    }

    /// Renders the Prometheus text exposition format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "# HELP rsnms_http_requests_in_flight HTTP requests being served (this one included).");
        let _ = writeln!(out, "# TYPE rsnms_http_requests_in_flight gauge");
        let _ = writeln!(out, "rsnms_http_requests_in_flight {}", self.in_flight.load(Ordering::Relaxed));
        let _ = writeln!(out, "# HELP rsnms_http_requests_total HTTP requests by method, route and status.");
        let _ = writeln!(out, "# TYPE rsnms_http_requests_total counter");
        let Ok(map) = self.requests.lock() else { return out };
        for ((m, r, s), v) in map.iter() {
            let _ =
                writeln!(out, "rsnms_http_requests_total{{method=\"{m}\",route=\"{r}\",status=\"{s}\"}} {}", v.count);
        }
        let _ = writeln!(out, "# HELP rsnms_http_request_duration_seconds HTTP request latency.");
        let _ = writeln!(out, "# TYPE rsnms_http_request_duration_seconds histogram");
        let mut by_route: BTreeMap<(String, String), Series> = BTreeMap::new();
        for ((m, r, _), v) in map.iter() {
            let agg = by_route.entry((m.clone(), r.clone())).or_default();
            agg.count += v.count;
            agg.sum += v.sum;
            for i in 0..BUCKETS.len() {
                agg.buckets[i] += v.buckets[i];
            }
        }
        for ((m, r), v) in by_route {
            for (i, b) in BUCKETS.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "rsnms_http_request_duration_seconds_bucket{{method=\"{m}\",route=\"{r}\",le=\"{b}\"}} {}",
                    v.buckets[i]
                );
            }
            let _ = writeln!(
                out,
                "rsnms_http_request_duration_seconds_bucket{{method=\"{m}\",route=\"{r}\",le=\"+Inf\"}} {}",
                v.count
            );
            let _ = writeln!(out, "rsnms_http_request_duration_seconds_sum{{method=\"{m}\",route=\"{r}\"}} {}", v.sum);
            let _ =
                writeln!(out, "rsnms_http_request_duration_seconds_count{{method=\"{m}\",route=\"{r}\"}} {}", v.count);
        }
        out
    }
}
