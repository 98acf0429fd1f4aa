//! The working-time arithmetic behind [`super::Calendar`] for calendars with working hours.
//!
//! Working time is the union of half-open intervals `[start, end)` of absolute time, one per
//! working period per working day, found by converting local wall-clock times with the
//! calendar's time zone. Converting every day on every call would be too slow for SLA
//! recomputation over many tickets, so each calendar lazily builds an [`IntervalIndex`]: all its
//! intervals over a window of years with prefix sums of working time, searched by bisection.
//! Outside that window the same intervals come from [`WorkingIntervals`], which walks day by day.
//! Both use the same walk, so the two paths cannot disagree.
//!
//! All arithmetic is in nanoseconds as `i128`, which holds any `Timestamp` or `SignedDuration`
//! without overflow; interval bounds are whole Unix seconds because local times and UTC offsets are.

use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;
use jiff::Timestamp;

use super::WeeklyHours;

const NANOS_PER_SECOND: i128 = 1_000_000_000;

/// The years always covered by the index, widened to the years of a calendar's holidays and
/// make-up workdays: this spans every ticket an installation opened recently or will soon.
const INDEX_FIRST_YEAR: i16 = 2020;
const INDEX_LAST_YEAR: i16 = 2040;

/// What a deadline search found: the deadline, or the working time still to run at the point
/// where the search had to stop.
enum Search {
    Found(i128),
    Short { remaining: i128 },
}

pub(super) struct Engine<'a> {
    pub(super) hours: &'a WeeklyHours,
    pub(super) time_zone: &'a TimeZone,
}

impl Engine<'_> {
    /// The earliest instant `t >= start` with `remaining` working time in `[start, t)`;
    /// `remaining` is positive. Saturates at `Timestamp::MAX`.
    pub(super) fn deadline(&self, start: i128, remaining: i128) -> i128 {
        let index = self.index();
        let mut cursor = start;
        let mut remaining = remaining;
        if cursor < index.covered_from {
            match self.walk_deadline(cursor, Some(index.covered_from), remaining) {
                Search::Found(deadline) => return deadline,
                Search::Short { remaining: rest } => {
                    (cursor, remaining) = (index.covered_from, rest)
                }
            }
        }
        if cursor < index.covered_until {
            match index.deadline(cursor, remaining) {
                Search::Found(deadline) => return deadline,
                Search::Short { remaining: rest } => {
                    (cursor, remaining) = (index.covered_until, rest)
                }
            }
        }
        match self.walk_deadline(cursor, None, remaining) {
            Search::Found(deadline) => deadline,
            Search::Short { .. } => Timestamp::MAX.as_nanosecond(),
        }
    }

    /// Working time in `[from, to)`, for `from <= to`.
    pub(super) fn elapsed(&self, from: i128, to: i128) -> i128 {
        let index = self.index();
        let mut total = 0;
        if from < index.covered_from {
            total += self.walk_elapsed(from, to.min(index.covered_from));
        }
        let indexed_from = from.max(index.covered_from);
        let indexed_to = to.min(index.covered_until);
        if indexed_from < indexed_to {
            total += index.working_before(indexed_to) - index.working_before(indexed_from);
        }
        if to > index.covered_until {
            total += self.walk_elapsed(from.max(index.covered_until), to);
        }
        total
    }

    /// The first working interval that ends after `instant`, clipped to start no earlier than it;
    /// `None` only at the end of representable time.
    pub(super) fn next_interval(&self, instant: i128) -> Option<(i128, i128)> {
        let index = self.index();
        if (index.covered_from..index.covered_until).contains(&instant) {
            if let Some(interval) = index.interval_ending_after(instant) {
                return Some(interval);
            }
        }
        let walk_from = if instant < index.covered_from {
            instant
        } else {
            instant.max(index.covered_until)
        };
        self.intervals_around(walk_from)
            .find(|(_, end)| *end > walk_from)
            .map(|(start, end)| (start.max(walk_from), end))
    }

    fn index(&self) -> &IntervalIndex {
        self.hours.index.get_or_init(|| IntervalIndex::build(self))
    }

    fn walk_deadline(&self, from: i128, limit: Option<i128>, mut remaining: i128) -> Search {
        for (start, end) in self.intervals_around(from) {
            let start = start.max(from);
            let end = limit.map_or(end, |limit| end.min(limit));
            if limit.is_some_and(|limit| start >= limit) {
                return Search::Short { remaining };
            }
            if end <= start {
                continue;
            }
            if remaining <= end - start {
                return Search::Found(start + remaining);
            }
            remaining -= end - start;
        }
        Search::Short { remaining }
    }

    fn walk_elapsed(&self, from: i128, to: i128) -> i128 {
        self.intervals_around(from)
            .take_while(|(start, _)| *start < to)
            .map(|(start, end)| (end.min(to) - start.max(from)).max(0))
            .sum()
    }

    /// Intervals in nanoseconds, from the local day before `instant` on, so that no interval
    /// containing `instant` is missed whatever the zone's offset.
    fn intervals_around(&self, instant: i128) -> impl Iterator<Item = (i128, i128)> + '_ {
        let timestamp = Timestamp::from_nanosecond(instant).unwrap_or(Timestamp::MAX);
        let date = self.time_zone.to_datetime(timestamp).date();
        WorkingIntervals::new(self, date.yesterday().unwrap_or(date)).map(|(start, end)| {
            (
                i128::from(start) * NANOS_PER_SECOND,
                i128::from(end) * NANOS_PER_SECOND,
            )
        })
    }
}

/// Working intervals in chronological order as Unix seconds, one local day after another.
///
/// Local times are converted with jiff's "compatible" disambiguation: a time skipped by a
/// spring-forward gap is read with the offset before the gap (so 02:30 becomes 03:30 in
/// New York), and a time repeated by a fall-back fold is read as its first occurrence. Around a
/// gap this can make a period start before the previous one ends or end before it starts, so
/// each interval is clipped to begin where the previous one ended and dropped if it is empty:
/// working time is never counted twice.
struct WorkingIntervals<'a> {
    engine: &'a Engine<'a>,
    date: Date,
    period_idx: usize,
    previous_end: i64,
}

impl<'a> WorkingIntervals<'a> {
    fn new(engine: &'a Engine<'a>, first_date: Date) -> Self {
        WorkingIntervals {
            engine,
            date: first_date,
            period_idx: 0,
            previous_end: i64::MIN,
        }
    }

    fn local_second(&self, second_of_day: u32) -> Option<i64> {
        let (date, second_of_day) = if second_of_day >= 86_400 {
            (self.date.tomorrow().ok()?, second_of_day - 86_400)
        } else {
            (self.date, second_of_day)
        };
        let time = Time::new(
            (second_of_day / 3600) as i8,
            (second_of_day / 60 % 60) as i8,
            (second_of_day % 60) as i8,
            0,
        )
        .ok()?;
        let ambiguous = self
            .engine
            .time_zone
            .to_ambiguous_timestamp(date.to_datetime(time));
        ambiguous.compatible().ok().map(Timestamp::as_second)
    }
}

impl Iterator for WorkingIntervals<'_> {
    type Item = (i64, i64);

    fn next(&mut self) -> Option<(i64, i64)> {
        // Terminates: a validated calendar works on at least one weekday, and holidays are finite.
        loop {
            let Some(period) = self.engine.hours.periods_on(self.date).get(self.period_idx) else {
                self.date = self.date.tomorrow().ok()?;
                self.period_idx = 0;
                continue;
            };
            self.period_idx += 1;
            let start = self
                .local_second(period.start_second_of_day())?
                .max(self.previous_end);
            let end = self.local_second(period.end_second_of_day())?;
            if end <= start {
                continue;
            }
            self.previous_end = end;
            return Some((start, end));
        }
    }
}

/// All working intervals of a window of years, with the working time before each one.
#[derive(Debug, Clone)]
pub(super) struct IntervalIndex {
    intervals: Vec<IndexedInterval>,
    /// Instants (nanoseconds) in `[covered_from, covered_until)` are answered by the index.
    covered_from: i128,
    covered_until: i128,
}

#[derive(Debug, Clone, Copy)]
struct IndexedInterval {
    start: i64,
    end: i64,
    /// Working seconds in the index before `start`.
    working_before: i64,
}

impl IndexedInterval {
    fn working_through(&self) -> i64 {
        self.working_before + (self.end - self.start)
    }
}

impl IntervalIndex {
    fn build(engine: &Engine<'_>) -> IntervalIndex {
        let hours = engine.hours;
        let special_years = hours
            .holidays
            .iter()
            .chain(&hours.workdays)
            .map(|date| date.year());
        let first_year = special_years
            .clone()
            .min()
            .unwrap_or(INDEX_FIRST_YEAR)
            .min(INDEX_FIRST_YEAR);
        let last_year = special_years
            .max()
            .unwrap_or(INDEX_LAST_YEAR)
            .max(INDEX_LAST_YEAR);
        let first_day = jiff::civil::date(first_year, 1, 1);
        let day_after = jiff::civil::date(last_year, 12, 31)
            .tomorrow()
            .expect("the index ends well before 9999");
        let midnight = |date: Date| {
            engine
                .time_zone
                .to_ambiguous_timestamp(date.to_datetime(Time::midnight()))
                .compatible()
                .expect("the index window is far from the limits of jiff")
                .as_second()
        };
        let (covered_from, covered_until) = (midnight(first_day), midnight(day_after));

        let mut intervals = Vec::new();
        let mut working_before = 0;
        let first_walk_day = first_day
            .yesterday()
            .expect("the index starts well after year -9999");
        for (start, end) in WorkingIntervals::new(engine, first_walk_day) {
            if start >= covered_until {
                break;
            }
            let (start, end) = (start.max(covered_from), end.min(covered_until));
            if end <= start {
                continue;
            }
            intervals.push(IndexedInterval {
                start,
                end,
                working_before,
            });
            working_before += end - start;
        }
        IntervalIndex {
            intervals,
            covered_from: i128::from(covered_from) * NANOS_PER_SECOND,
            covered_until: i128::from(covered_until) * NANOS_PER_SECOND,
        }
    }

    /// Position of the first interval starting after `instant` (all before it start at or before).
    fn intervals_started_by(&self, instant: i128) -> usize {
        // Interval bounds are whole seconds, so comparing with the floor second is exact.
        let second = instant.div_euclid(NANOS_PER_SECOND) as i64;
        self.intervals
            .partition_point(|interval| interval.start <= second)
    }

    /// Working time from `covered_from` to `instant`, which lies in the covered range.
    fn working_before(&self, instant: i128) -> i128 {
        let started = self.intervals_started_by(instant);
        let Some(interval) = started.checked_sub(1).map(|idx| self.intervals[idx]) else {
            return 0;
        };
        let start = i128::from(interval.start) * NANOS_PER_SECOND;
        let end = i128::from(interval.end) * NANOS_PER_SECOND;
        i128::from(interval.working_before) * NANOS_PER_SECOND + (instant.min(end) - start)
    }

    fn deadline(&self, start: i128, remaining: i128) -> Search {
        let target = self.working_before(start) + remaining;
        let total = self.intervals.last().map_or(0, |last| {
            i128::from(last.working_through()) * NANOS_PER_SECOND
        });
        if target > total {
            return Search::Short {
                remaining: target - total,
            };
        }
        // The first interval by whose end the target is reached holds the deadline; it can be
        // the end of that interval itself, which is why the comparison is strict.
        let idx = self.intervals.partition_point(|interval| {
            i128::from(interval.working_through()) * NANOS_PER_SECOND < target
        });
        let interval = self.intervals[idx];
        let offset = target - i128::from(interval.working_before) * NANOS_PER_SECOND;
        Search::Found(i128::from(interval.start) * NANOS_PER_SECOND + offset)
    }

    fn interval_ending_after(&self, instant: i128) -> Option<(i128, i128)> {
        let started = self.intervals_started_by(instant);
        let candidates = [started.checked_sub(1), Some(started)];
        candidates
            .into_iter()
            .flatten()
            .filter_map(|idx| self.intervals.get(idx))
            .find_map(|interval| {
                let start = i128::from(interval.start) * NANOS_PER_SECOND;
                let end = i128::from(interval.end) * NANOS_PER_SECOND;
                (end > instant).then_some((start.max(instant), end))
            })
    }
}
