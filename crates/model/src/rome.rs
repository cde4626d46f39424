//! Civil time in Europe/Rome (with daylight-saving time), where every Italian deadline
//! lives: booking cutoffs, notice expiry, "today".

use time::{Date, OffsetDateTime};
use time_tz::{timezones, OffsetDateTimeExt};

/// The instant as a Rome wall-clock date and time.
pub fn local(instant: OffsetDateTime) -> OffsetDateTime {
    instant.to_timezone(timezones::db::europe::ROME)
}

/// The calendar day in Rome at `instant`.
pub fn today(instant: OffsetDateTime) -> Date {
    local(instant).date()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn winter_and_summer_offsets() {
        assert_eq!(local(datetime!(2026-01-15 12:00 UTC)).hour(), 13);
        assert_eq!(local(datetime!(2026-07-15 12:00 UTC)).hour(), 14);
        // DST starts at 01:00 UTC on the last Sunday of March.
        assert_eq!(local(datetime!(2026-03-29 00:59 UTC)).hour(), 1);
        assert_eq!(local(datetime!(2026-03-29 01:00 UTC)).hour(), 3);
    }

    #[test]
    fn late_evening_utc_is_already_tomorrow_in_rome() {
        assert_eq!(
            today(datetime!(2026-11-23 23:30 UTC)),
            time::macros::date!(2026 - 11 - 24)
        );
    }
}
