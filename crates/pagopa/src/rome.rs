//! Italian wall-clock time (Europe/Rome) to UTC, for pagoPA timestamps that carry no
//! offset, with the IANA time zone rules from `time-tz`.

use time::macros::offset;
use time::{OffsetDateTime, PrimitiveDateTime, UtcOffset};
use time_tz::{timezones, OffsetResult, PrimitiveDateTimeExt};

/// The UTC instant of an Italian local time. A time that happens twice (the last hour of
/// summer time) is read as the earlier instant; one that never happens (the hour skipped
/// in March) is read as winter time, UTC+1.
pub(crate) fn rome_to_utc(local: PrimitiveDateTime) -> OffsetDateTime {
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
    fn converts_winter_and_summer_times() {
        assert_eq!(
            rome_to_utc(datetime!(2024-01-15 10:00)),
            datetime!(2024-01-15 09:00 UTC)
        );
        assert_eq!(
            rome_to_utc(datetime!(2024-04-27 10:15)),
            datetime!(2024-04-27 08:15 UTC)
        );
        assert_eq!(
            rome_to_utc(datetime!(2021-03-25 17:48:22)),
            datetime!(2021-03-25 16:48:22 UTC)
        );
    }

    #[test]
    fn handles_the_switch_days() {
        // 2024: summer time from Sunday 31 March to Sunday 27 October.
        assert_eq!(
            rome_to_utc(datetime!(2024-03-31 01:59)),
            datetime!(2024-03-31 00:59 UTC)
        );
        assert_eq!(
            rome_to_utc(datetime!(2024-03-31 03:00)),
            datetime!(2024-03-31 01:00 UTC)
        );
        assert_eq!(
            rome_to_utc(datetime!(2024-03-31 02:30)),
            datetime!(2024-03-31 01:30 UTC)
        );
        assert_eq!(
            rome_to_utc(datetime!(2024-10-27 02:30)),
            datetime!(2024-10-27 00:30 UTC)
        );
        assert_eq!(
            rome_to_utc(datetime!(2024-10-27 03:00)),
            datetime!(2024-10-27 02:00 UTC)
        );
        // 2023: from 26 March to 29 October.
        assert_eq!(
            rome_to_utc(datetime!(2023-10-28 12:00)),
            datetime!(2023-10-28 10:00 UTC)
        );
        assert_eq!(
            rome_to_utc(datetime!(2023-10-30 12:00)),
            datetime!(2023-10-30 11:00 UTC)
        );
    }
}
