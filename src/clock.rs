//! The clock every timer and the business-hours check read. In production it is the system's
//! time; a test builds an adjustable one (`Clock::adjustable`) and moves it forward through the
//! `ClockControl` it gets back. The release server never builds an adjustable clock: only code
//! that builds the `Application` in process can hand one over (`Application::with_clock`).

use std::sync::{
    Arc,
    atomic::{AtomicI64, Ordering},
};

use chrono::{DateTime, TimeDelta, Utc};

/// Where "now" comes from. Cheap to clone.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    /// How far ahead of the system's time this clock runs, in milliseconds; None for the system
    /// clock itself.
    offset: Option<Arc<AtomicI64>>,
}

/// Moves an adjustable clock forward (tests only hold one).
#[derive(Clone, Debug)]
pub struct ClockControl {
    offset: Arc<AtomicI64>,
}

impl Clock {
    /// The system's clock.
    pub fn system() -> Self {
        Self::default()
    }

    /// A clock that starts at the system's time and that the returned control moves forward.
    pub fn adjustable() -> (Self, ClockControl) {
        let offset = Arc::new(AtomicI64::new(0));
        (
            Self {
                offset: Some(offset.clone()),
            },
            ClockControl { offset },
        )
    }

    /// The current time.
    pub fn now(&self) -> DateTime<Utc> {
        let now = Utc::now();
        match &self.offset {
            None => now,
            Some(offset) => now + TimeDelta::milliseconds(offset.load(Ordering::SeqCst)),
        }
    }
}

impl ClockControl {
    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: TimeDelta) {
        self.offset
            .fetch_add(by.num_milliseconds(), Ordering::SeqCst);
    }

    /// Sets the clock to `at` (it runs on from there with the system's clock).
    pub fn set(&self, at: DateTime<Utc>) {
        let offset = at.signed_duration_since(Utc::now());
        self.offset
            .store(offset.num_milliseconds(), Ordering::SeqCst);
    }
}
