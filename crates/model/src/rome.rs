//! Civil time in Europe/Rome (with daylight-saving time), where every Italian deadline
//! lives: booking cutoffs, notice expiry, "today".

use time::macros::offset;
use time::{Date, OffsetDateTime, PrimitiveDateTime, UtcOffset};
use time_tz::{timezones, OffsetDateTimeExt, OffsetResult, PrimitiveDateTimeExt};

/// The instant as a Rome wall-clock date and time.
pub fn local(instant: OffsetDateTime) -> OffsetDateTime {
    instant.to_timezone(timezones::db::europe::ROME)
}

/// The calendar day in Rome at `instant`.
pub fn today(instant: OffsetDateTime) -> Date {
    local(instant).date()
}

/// The UTC instant of a Rome wall-clock time. A time that happens twice (the last hour
/// of summer time) is read as the earlier instant; one that never happens (the hour
/// skipped in March) is read as winter time, UTC+1.
pub fn to_utc(local: PrimitiveDateTime) -> OffsetDateTime {
    let instant = match local.assume_timezone(timezones::db::europe::ROME) {
        OffsetResult::Some(instant) => instant,
        OffsetResult::Ambiguous(a, b) => a.min(b),
        OffsetResult::None => local.assume_offset(offset!(+1)),
    };
    instant.to_offset(UtcOffset::UTC)
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
    fn rome_wall_clock_to_utc() {
        use time::macros::datetime;
        assert_eq!(
            to_utc(datetime!(2024-01-15 10:00)),
            datetime!(2024-01-15 09:00 UTC)
        );
        assert_eq!(
            to_utc(datetime!(2024-04-27 10:15)),
            datetime!(2024-04-27 08:15 UTC)
        );
        // 02:30 on 31/03/2024 never happened (clocks jumped to 03:00): read as UTC+1.
        assert_eq!(
            to_utc(datetime!(2024-03-31 02:30)),
            datetime!(2024-03-31 01:30 UTC)
        );
        // 02:30 on 27/10/2024 happened twice: the earlier, summer-time one.
        assert_eq!(
            to_utc(datetime!(2024-10-27 02:30)),
            datetime!(2024-10-27 00:30 UTC)
        );
    }

    #[test]
    fn late_evening_utc_is_already_tomorrow_in_rome() {
        assert_eq!(
            today(datetime!(2026-11-23 23:30 UTC)),
            time::macros::date!(2026 - 11 - 24)
        );
    }
}
