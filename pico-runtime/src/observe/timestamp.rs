//! The time at the head of a log line: RFC 3339 in UTC with microseconds,
//! `2026-11-27T05:41:14.084344Z`, as tracing-subscriber's `SystemTime`
//! writes it. The development server writes one per request, and through
//! `fmt`'s machinery (seven padded numbers) it cost about a tenth of the
//! line; here it is one buffer filled digit by digit.

use std::time::{SystemTime, UNIX_EPOCH};

use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::time::FormatTime;

/// Writes the current time.
pub(crate) fn write_now(writer: &mut Writer<'_>) -> std::fmt::Result {
    match rfc3339(SystemTime::now()) {
        Some(text) => writer.write_str(text.as_str()),
        // Before 1970 or after 9999: a clock set wrong, written as
        // tracing-subscriber writes it.
        None => tracing_subscriber::fmt::time::SystemTime.format_time(writer),
    }
}

/// `YYYY-MM-DDTHH:MM:SS.ffffffZ`.
struct Text([u8; 27]);

impl Text {
    fn as_str(&self) -> &str {
        // Only ASCII digits and separators are written.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

/// `time` as text, for the years 1970 to 9999.
fn rfc3339(time: SystemTime) -> Option<Text> {
    let since = time.duration_since(UNIX_EPOCH).ok()?;
    let seconds = since.as_secs();
    let (year, month, day) = civil(seconds / 86_400);
    if year > 9999 {
        return None;
    }
    let of_day = seconds % 86_400;
    let mut text = *b"0000-00-00T00:00:00.000000Z";
    digits(&mut text[0..4], year);
    digits(&mut text[5..7], month);
    digits(&mut text[8..10], day);
    digits(&mut text[11..13], of_day / 3600);
    digits(&mut text[14..16], of_day / 60 % 60);
    digits(&mut text[17..19], of_day % 60);
    digits(&mut text[20..26], u64::from(since.subsec_micros()));
    Some(Text(text))
}

/// Writes `value` into `place`, padded with zeros on the left.
fn digits(place: &mut [u8], mut value: u64) {
    for byte in place.iter_mut().rev() {
        *byte = b'0' + (value % 10) as u8;
        value /= 10;
    }
}

/// The date (year, month, day) of the day `days` after 1970-01-01, in the
/// proleptic Gregorian calendar. Days are counted in 400-year eras that
/// start on a 1st of March, so that the leap day ends a year.
fn civil(days: u64) -> (u64, u64, u64) {
    // 1970-01-01 is day 719,468 counted from 0000-03-01.
    let from_march = days + 719_468;
    let era = from_march / 146_097;
    let day_of_era = from_march % 146_097;
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    // From March the month lengths repeat 31, 30, 31, 30, 31: 153 days
    // every five months, which a division by 153 / 5 counts.
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let (month, next_year) = if month_from_march < 10 {
        (month_from_march + 3, 0)
    } else {
        (month_from_march - 9, 1)
    };
    (era * 400 + year_of_era + next_year, month, day)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn at(seconds: u64, micros: u64) -> Option<String> {
        let time = UNIX_EPOCH + Duration::from_secs(seconds) + Duration::from_micros(micros);
        rfc3339(time).map(|t| t.as_str().to_owned())
    }

    #[test]
    fn dates_are_written_as_the_calendar_has_them() {
        // Expected values from Python's `datetime`.
        let cases = [
            (0, 0, "1970-01-01T00:00:00.000000Z"),
            (68_169_600, 7, "1972-02-29T00:00:00.000007Z"),
            (951_782_400, 123_456, "2000-02-29T00:00:00.123456Z"),
            (951_868_799, 999_999, "2000-02-29T23:59:59.999999Z"),
            (1_704_067_199, 500_000, "2023-12-31T23:59:59.500000Z"),
            (1_795_750_874, 84_344, "2026-11-27T03:41:14.084344Z"),
            (4_107_542_400, 1, "2100-03-01T00:00:00.000001Z"),
            (253_402_300_799, 999_999, "9999-12-31T23:59:59.999999Z"),
        ];
        for (seconds, micros, expected) in cases {
            assert_eq!(at(seconds, micros).as_deref(), Some(expected), "{seconds}");
        }
    }

    #[test]
    fn times_out_of_range_are_left_to_tracing() {
        assert_eq!(at(253_402_300_800, 0), None);
        assert!(rfc3339(UNIX_EPOCH - Duration::from_secs(1)).is_none());
    }

    #[test]
    fn every_day_follows_the_one_before() {
        // Day by day over 1,000 years: each date is the next of the last.
        let mut last = civil(0);
        assert_eq!(last, (1970, 1, 1));
        for day in 1..365_243 {
            let date = civil(day);
            let (year, month, d) = last;
            let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
            let length = match month {
                2 if leap => 29,
                2 => 28,
                4 | 6 | 9 | 11 => 30,
                _ => 31,
            };
            let expected = if d < length {
                (year, month, d + 1)
            } else if month < 12 {
                (year, month + 1, 1)
            } else {
                (year + 1, 1, 1)
            };
            assert_eq!(date, expected, "day {day}");
            last = date;
        }
    }
}
