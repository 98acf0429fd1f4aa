//! Throughput of `Calendar::deadline` on cn-standard, the figure SLA recomputation depends on:
//! when a calendar changes, every open clock's deadline is computed again.
//!
//! Starts are random instants of 2024–2026 and durations random working times up to 30 days,
//! drawn by an inline xorshift so every run measures the same inputs without a dependency.

use std::hint::black_box;
use std::time::{Duration, Instant};

use aftersales_domain::calendar::{builtin, CN_STANDARD};
use jiff::{SignedDuration, Timestamp};

const WARM_UP: Duration = Duration::from_millis(300);
const MEASURE: Duration = Duration::from_secs(2);
/// Inputs are drawn in batches so the PRNG and the clock stay out of the timed loop.
const BATCH: usize = 4096;

/// Marsaglia's xorshift64: enough spread for benchmark inputs, and deterministic.
struct XorShift64(u64);

impl XorShift64 {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, bound: u64) -> u64 {
        self.next() % bound
    }
}

fn inputs(random: &mut XorShift64) -> Vec<(Timestamp, SignedDuration)> {
    let first: Timestamp = "2024-01-01T00:00:00+08:00"
        .parse()
        .expect("a valid instant");
    // 2024 is a leap year: 1096 days to the end of 2026.
    let span_seconds = 1096 * 86_400;
    let max_duration_seconds = 30 * 86_400;
    (0..BATCH)
        .map(|_| {
            let start = first + SignedDuration::from_secs(random.below(span_seconds) as i64);
            let duration = SignedDuration::from_secs(1 + random.below(max_duration_seconds) as i64);
            (start, duration)
        })
        .collect()
}

/// Runs batches for at least `period`, returning how many deadlines were computed and how long it took.
fn run(period: Duration, random: &mut XorShift64) -> (u64, Duration) {
    let calendar = builtin(CN_STANDARD).expect("cn-standard is built in");
    let mut computed = 0;
    let mut timed = Duration::ZERO;
    while timed < period {
        let batch = inputs(random);
        let started = Instant::now();
        for (start, duration) in &batch {
            black_box(calendar.deadline(black_box(*start), black_box(*duration)));
        }
        timed += started.elapsed();
        computed += batch.len() as u64;
    }
    (computed, timed)
}

fn main() {
    let mut random = XorShift64(0x9E37_79B9_7F4A_7C15);
    // The warm-up also builds the calendar's index, which is a one-off cost, not throughput.
    run(WARM_UP, &mut random);
    let (computed, timed) = run(MEASURE, &mut random);
    let per_second = computed as f64 / timed.as_secs_f64();
    println!(
        "deadline: {per_second:.0} computations/s ({computed} computations in {:.3} s)",
        timed.as_secs_f64()
    );
}
