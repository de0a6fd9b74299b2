//! Reports: the date range a report covers (local days at a fixed UTC offset), its limits, and
//! the CSV cells it is written with.

use chrono::{DateTime, FixedOffset, NaiveDate, TimeDelta, Utc};

/// The longest range a report covers, in days.
pub const MAX_REPORT_DAYS: i64 = 366;

/// The local days a report covers: `from` to `to` inclusive, each day starting at local midnight
/// at the fixed UTC offset `offset`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportRange {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub offset: FixedOffset,
}

impl ReportRange {
    /// The range from `from` to `to` (`YYYY-MM-DD`, inclusive) at offset `tz` (`+HH:MM`, `-HH:MM`,
    /// `Z` or `UTC`; UTC when None). At most `MAX_REPORT_DAYS` days, `from` not after `to`.
    pub fn parse(from: &str, to: &str, tz: Option<&str>) -> Result<Self, String> {
        let from = parse_date("from", from)?;
        let to = parse_date("to", to)?;
        let offset = match tz {
            None => FixedOffset::east_opt(0).expect("zero is a valid offset"),
            Some(tz) => parse_offset(tz)?,
        };
        if to < from {
            return Err(format!("to ({to}) is before from ({from})"));
        }
        let days = (to - from).num_days() + 1;
        if days > MAX_REPORT_DAYS {
            return Err(format!(
                "a report covers at most {MAX_REPORT_DAYS} days; {from} to {to} is {days}"
            ));
        }
        Ok(Self { from, to, offset })
    }

    /// The local days, first to last.
    pub fn days(&self) -> Vec<NaiveDate> {
        self.from
            .iter_days()
            .take_while(|day| *day <= self.to)
            .collect()
    }

    /// When each day starts, in UTC, followed by when the last one ends: one more than `days()`.
    pub fn boundaries(&self) -> Vec<DateTime<Utc>> {
        let mut bounds: Vec<DateTime<Utc>> =
            self.days().into_iter().map(|d| self.start_of(d)).collect();
        bounds.push(self.start_of(self.to + TimeDelta::days(1)));
        bounds
    }

    /// The offset as `+HH:MM`.
    pub fn offset_text(&self) -> String {
        self.offset.to_string()
    }

    fn start_of(&self, day: NaiveDate) -> DateTime<Utc> {
        let midnight = day.and_hms_opt(0, 0, 0).expect("midnight exists");
        (midnight - TimeDelta::seconds(i64::from(self.offset.local_minus_utc()))).and_utc()
    }
}

fn parse_date(name: &str, value: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d")
        .map_err(|_| format!("{name} must be a date as YYYY-MM-DD, not {value:?}"))
}

/// A fixed UTC offset: `+HH:MM`, `-HH:MM`, `Z` or `UTC`. A leading space stands for `+` (an
/// unencoded `+` in a query string arrives as a space).
fn parse_offset(value: &str) -> Result<FixedOffset, String> {
    let refused = || format!("tz must be a UTC offset as +HH:MM or -HH:MM (or UTC), not {value:?}");
    let text = value.trim_end();
    if text.eq_ignore_ascii_case("utc") || text == "Z" || text.is_empty() {
        return Ok(FixedOffset::east_opt(0).expect("zero is a valid offset"));
    }
    let (sign, rest) = match text.as_bytes().first() {
        Some(b'+' | b' ') => (1, &text[1..]),
        Some(b'-') => (-1, &text[1..]),
        _ => return Err(refused()),
    };
    let (hours, minutes) = rest.split_once(':').ok_or_else(refused)?;
    if hours.len() != 2 || minutes.len() != 2 {
        return Err(refused());
    }
    let hours: i32 = hours.parse().map_err(|_| refused())?;
    let minutes: i32 = minutes.parse().map_err(|_| refused())?;
    if hours > 14 || minutes > 59 {
        return Err(refused());
    }
    FixedOffset::east_opt(sign * (hours * 3600 + minutes * 60)).ok_or_else(refused)
}

/// One CSV cell: quoted when it holds a comma, quote or line break; a cell that a spreadsheet
/// would read as a formula (starting with `=`, `+`, `-`, `@`, a tab or a carriage return) is
/// prefixed with `'`.
pub fn csv_cell(value: &str) -> String {
    let guarded = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if guarded.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_range_is_inclusive_and_bounded() {
        let range = ReportRange::parse("2026-01-01", "2026-01-03", None).unwrap();
        assert_eq!(range.days().len(), 3);
        assert_eq!(range.boundaries().len(), 4);
        assert!(ReportRange::parse("2026-01-02", "2026-01-01", None).is_err());
        assert!(ReportRange::parse("2025-01-01", "2026-01-01", None).is_ok());
        // A leap year is 366 days, the most a report covers; a day more is refused.
        assert!(ReportRange::parse("2024-01-01", "2024-12-31", None).is_ok());
        assert!(ReportRange::parse("2024-01-01", "2025-01-01", None).is_err());
        assert!(ReportRange::parse("2026-13-01", "2026-12-01", None).is_err());
        assert!(ReportRange::parse("yesterday", "2026-12-01", None).is_err());
    }

    #[test]
    fn days_start_at_local_midnight_of_the_offset() {
        let range = ReportRange::parse("2026-03-01", "2026-03-01", Some("+02:00")).unwrap();
        let bounds = range.boundaries();
        assert_eq!(bounds[0].to_rfc3339(), "2026-02-28T22:00:00+00:00");
        assert_eq!(bounds[1].to_rfc3339(), "2026-03-01T22:00:00+00:00");
        let west = ReportRange::parse("2026-03-01", "2026-03-01", Some("-05:30")).unwrap();
        assert_eq!(
            west.boundaries()[0].to_rfc3339(),
            "2026-03-01T05:30:00+00:00"
        );
        let spaced = ReportRange::parse("2026-03-01", "2026-03-01", Some(" 02:00")).unwrap();
        assert_eq!(spaced.offset_text(), "+02:00");
        for bad in ["Europe/Paris", "+2", "+15:00", "+02:60", "02:00x"] {
            assert!(
                ReportRange::parse("2026-03-01", "2026-03-01", Some(bad)).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn csv_cells_are_quoted_and_formulas_defused() {
        assert_eq!(csv_cell("plain"), "plain");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_cell("two\nlines"), "\"two\nlines\"");
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_cell("+1"), "'+1");
        assert_eq!(csv_cell("-1"), "'-1");
        assert_eq!(csv_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_cell("\tx"), "'\tx");
    }
}
