//! Office hours: when chats are answered, in the site's time zone. [`Schedule`] is the parsed,
//! validated form of `protocol::helpdesk::OfficeHours`; it answers "open at this instant?" and
//! "when next?". Wall-clock windows are compared with the local time of the instant (`jiff`,
//! with the IANA database bundled), so opening hours stay put across daylight-saving changes. No
//! I/O: the store keeps the settings, the hub and REST ask the schedule.

use std::collections::HashSet;

use jiff::Timestamp;
use jiff::civil::{Date, Time, Weekday};
use jiff::tz::TimeZone;
use protocol::helpdesk::OfficeHours;

/// How far ahead [`Schedule::next_open`] looks.
const LOOKAHEAD_DAYS: i64 = 14;

/// Office hours, ready to ask.
#[derive(Debug, Clone)]
pub struct Schedule {
    enabled: bool,
    tz: TimeZone,
    /// Monday first.
    windows: [Vec<(Time, Time)>; 7],
    holidays: HashSet<Date>,
}

fn weekday(day: &str) -> Option<Weekday> {
    Some(match day {
        "mon" => Weekday::Monday,
        "tue" => Weekday::Tuesday,
        "wed" => Weekday::Wednesday,
        "thu" => Weekday::Thursday,
        "fri" => Weekday::Friday,
        "sat" => Weekday::Saturday,
        "sun" => Weekday::Sunday,
        _ => return None,
    })
}

fn index(day: Weekday) -> usize {
    usize::try_from(day.to_monday_zero_offset()).unwrap_or(0)
}

impl Schedule {
    /// Validate `hours`; the error says what is wrong, for the admin who set it.
    pub fn parse(hours: &OfficeHours) -> Result<Schedule, String> {
        let tz = TimeZone::get(&hours.time_zone)
            .map_err(|_| format!("time_zone {:?} is not an IANA time zone", hours.time_zone))?;
        let mut windows: [Vec<(Time, Time)>; 7] = Default::default();
        for w in &hours.weekly {
            let day = weekday(&w.day).ok_or_else(|| {
                format!(
                    "day {:?} must be one of mon, tue, wed, thu, fri, sat, sun",
                    w.day
                )
            })?;
            let time = |s: &str| {
                s.parse::<Time>()
                    .map_err(|_| format!("{s:?} is not a time like 09:00"))
            };
            let (open, close) = (time(&w.open)?, time(&w.close)?);
            if open >= close {
                return Err(format!(
                    "{} {}-{}: open must be before close",
                    w.day, w.open, w.close
                ));
            }
            windows[index(day)].push((open, close));
        }
        let holidays = hours
            .holidays
            .iter()
            .map(|d| {
                d.parse::<Date>()
                    .map_err(|_| format!("holiday {d:?} is not a date like 2026-12-25"))
            })
            .collect::<Result<_, _>>()?;
        Ok(Schedule {
            enabled: hours.enabled,
            tz,
            windows,
            holidays,
        })
    }

    /// Are chats answered at `at`? Always, when office hours are off.
    pub fn is_open(&self, at: Timestamp) -> bool {
        if !self.enabled {
            return true;
        }
        let local = at.to_zoned_datetime(self.tz.clone());
        if self.holidays.contains(&local.date()) {
            return false;
        }
        let now = local.time();
        self.windows[index(local.weekday())]
            .iter()
            .any(|&(open, close)| open <= now && now < close)
    }

    /// When chats are answered next, from `at` on: `at` itself when open now, `None` when
    /// nothing opens within two weeks.
    pub fn next_open(&self, at: Timestamp) -> Option<Timestamp> {
        if self.is_open(at) {
            return Some(at);
        }
        let today = at.to_zoned_datetime(self.tz.clone()).date();
        (0..LOOKAHEAD_DAYS)
            .filter_map(|n| today.checked_add(jiff::Span::new().days(n)).ok())
            .filter(|day| !self.holidays.contains(day))
            .flat_map(|day| {
                let mut opens: Vec<Time> = self.windows[index(day.weekday())]
                    .iter()
                    .map(|&(open, _)| open)
                    .collect();
                opens.sort();
                opens
                    .into_iter()
                    // A wall-clock time that a DST gap skips resolves to the later instant.
                    .filter_map(move |t| day.to_datetime(t).to_zoned_datetime(self.tz.clone()).ok())
            })
            .map(|z| z.timestamp())
            .find(|&t| t > at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocol::helpdesk::OpeningWindow;

    fn berlin_weekdays_9_to_17() -> Schedule {
        let weekly = ["mon", "tue", "wed", "thu", "fri"]
            .into_iter()
            .map(|day| OpeningWindow {
                day: day.into(),
                open: "09:00".into(),
                close: "17:00".into(),
            })
            .collect();
        Schedule::parse(&OfficeHours {
            enabled: true,
            time_zone: "Europe/Berlin".into(),
            weekly,
            holidays: vec!["2026-12-25".into()],
        })
        .unwrap()
    }

    fn at(utc: &str) -> Timestamp {
        utc.parse().unwrap()
    }

    #[test]
    fn opening_hours_follow_the_sites_wall_clock_across_dst() {
        let s = berlin_weekdays_9_to_17();
        // Friday 27 March 2026, before the change: Berlin is UTC+1.
        assert!(!s.is_open(at("2026-03-27T07:30:00Z")), "08:30 in Berlin");
        assert!(s.is_open(at("2026-03-27T08:00:00Z")), "09:00 in Berlin");
        assert!(s.is_open(at("2026-03-27T15:59:59Z")), "16:59:59 in Berlin");
        assert!(!s.is_open(at("2026-03-27T16:00:00Z")), "17:00 in Berlin");
        // Clocks go forward on Sunday 29 March; on Monday Berlin is UTC+2.
        assert!(s.is_open(at("2026-03-30T07:30:00Z")), "09:30 in Berlin");
        assert!(!s.is_open(at("2026-03-30T06:30:00Z")), "08:30 in Berlin");
        assert!(!s.is_open(at("2026-03-30T15:00:00Z")), "17:00 in Berlin");
        // And back on Sunday 25 October: on Monday 26th it is UTC+1 again.
        assert!(!s.is_open(at("2026-10-26T07:30:00Z")), "08:30 in Berlin");
        assert!(s.is_open(at("2026-10-26T08:00:00Z")), "09:00 in Berlin");
        // Weekends and holidays are closed all day.
        assert!(!s.is_open(at("2026-03-28T12:00:00Z")), "Saturday");
        assert!(
            !s.is_open(at("2026-12-25T12:00:00Z")),
            "Christmas Day, a Friday"
        );
        assert!(s.is_open(at("2026-12-24T12:00:00Z")), "the day before");
    }

    #[test]
    fn next_open_skips_nights_weekends_holidays_and_the_dst_change() {
        let s = berlin_weekdays_9_to_17();
        // Friday evening before the spring change: next is Monday 09:00 CEST = 07:00 UTC.
        assert_eq!(
            s.next_open(at("2026-03-27T18:00:00Z")),
            Some(at("2026-03-30T07:00:00Z"))
        );
        // Thursday 24 Dec evening: Friday is a holiday, so Monday 28th 09:00 CET.
        assert_eq!(
            s.next_open(at("2026-12-24T17:00:00Z")),
            Some(at("2026-12-28T08:00:00Z"))
        );
        // open now: now
        let now = at("2026-03-27T10:00:00Z");
        assert_eq!(s.next_open(now), Some(now));
        // nothing within two weeks
        let never = Schedule::parse(&OfficeHours {
            enabled: true,
            time_zone: "UTC".into(),
            weekly: vec![],
            holidays: vec![],
        })
        .unwrap();
        assert_eq!(never.next_open(now), None);
        assert!(!never.is_open(now));
    }

    #[test]
    fn off_means_always_open_and_bad_settings_are_explained() {
        let off = Schedule::parse(&OfficeHours::default()).unwrap();
        assert!(off.is_open(at("2026-03-28T03:00:00Z")));
        let bad = |f: &dyn Fn(&mut OfficeHours)| {
            let mut h = OfficeHours {
                enabled: true,
                time_zone: "Europe/Berlin".into(),
                weekly: vec![OpeningWindow {
                    day: "mon".into(),
                    open: "09:00".into(),
                    close: "17:00".into(),
                }],
                holidays: vec![],
            };
            f(&mut h);
            Schedule::parse(&h).unwrap_err()
        };
        assert!(bad(&|h| h.time_zone = "Mars/Olympus".into()).contains("time_zone"));
        assert!(bad(&|h| h.weekly[0].day = "monday".into()).contains("day"));
        assert!(bad(&|h| h.weekly[0].open = "9am".into()).contains("9am"));
        assert!(bad(&|h| h.weekly[0].close = "08:00".into()).contains("before close"));
        assert!(bad(&|h| h.holidays = vec!["25/12/2026".into()]).contains("holiday"));
    }
}
