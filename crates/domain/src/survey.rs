//! Opinion surveys (SURVEY-1..3): the survey card (客户意见调查卡) sent for every call the
//! next day, the four rated aspects with four levels each, how a card reaches the customer,
//! and the aggregates (per technician and month, per branch) that feed the monthly
//! technician assessment.
//!
//! Levels are stored as scores 1–4 where 4 is the best (很满意) and 1 the worst (不满意), so
//! a higher average is better. Their labels are the `survey.levels` setting, best first.

use jiff::civil::Date;
use jiff::tz::TimeZone;

use crate::code_enum;

code_enum! {
    /// The aspects a card rates the technician on (SURVEY-2).
    pub enum Aspect {
        /// 态度
        Attitude = "attitude",
        /// 技术
        Technique = "technique",
        /// 到达时间
        Arrival = "arrival",
        /// 答应事情的办理
        Promise = "promise",
    }
}

code_enum! {
    /// How the card reaches the customer (SURVEY-1).
    pub enum Channel {
        /// The customer's portal user sees and answers the card after signing in.
        Portal = "portal",
        /// An e-mail with a one-time link to the public answer page.
        Email = "email",
        /// A text message with the link; recorded as queued (no SMS gateway is connected).
        Sms = "sms",
        /// A printed card mailed by the customer department, returned by post.
        Letter = "letter",
    }
}

code_enum! {
    pub enum CardStatus {
        /// Sent and waiting for the customer's answer.
        Sent = "sent",
        Answered = "answered",
    }
}

code_enum! {
    /// Who put the answer into the system.
    pub enum AnsweredVia {
        /// The customer, through the one-time link (no sign-in).
        Link = "link",
        /// The customer's portal user.
        Portal = "portal",
        /// The customer department, from a returned paper card.
        Paper = "paper",
        /// The customer department, during a phone follow-up (回访).
        Phone = "phone",
    }
}

code_enum! {
    /// What the free text of an answer is (SURVEY-3: 建议或抱怨).
    pub enum RemarkKind {
        Suggestion = "suggestion",
        Complaint = "complaint",
    }
}

code_enum! {
    /// Why a follow-up call (回访, SURVEY-4) is due.
    pub enum FollowUpReason {
        /// A completed service call (on site or returned from the workshop).
        OrderCompleted = "order_completed",
        /// A suggestion or complaint on a survey card.
        SurveyRemark = "survey_remark",
        /// After an installation (mandatory).
        Installation = "installation",
        /// After a complaint is closed (mandatory).
        ComplaintClosed = "complaint_closed",
    }
}

code_enum! {
    pub enum FollowUpStatus {
        Due = "due",
        Done = "done",
    }
}

code_enum! {
    /// How a follow-up call went.
    pub enum CallOutcome {
        Reached = "reached",
        /// Nobody answered: the call stays due and the attempt is counted.
        NoAnswer = "no_answer",
        WrongNumber = "wrong_number",
        /// The customer did not want to talk.
        Declined = "declined",
    }
}

impl CallOutcome {
    /// Whether this outcome ends the follow-up (only an unanswered call is tried again).
    pub fn closes(self) -> bool {
        self != CallOutcome::NoAnswer
    }
}

/// The best score (很满意) and the worst (不满意).
pub const BEST: i16 = 4;
pub const WORST: i16 = 1;

/// The default labels of the four levels, best first.
pub const DEFAULT_LEVELS: &str = "很满意/满意/尚可/不满意";

/// The four level labels of the `survey.levels` setting, best first: exactly four
/// non-empty labels separated by `/`, all different.
pub fn parse_levels(text: &str) -> Result<[String; 4], &'static str> {
    let labels: Vec<String> = text.split('/').map(|l| l.trim().to_string()).collect();
    if labels.len() != 4
        || labels
            .iter()
            .any(|l| l.is_empty() || l.chars().count() > 20)
    {
        return Err("four_levels_needed");
    }
    for (idx, label) in labels.iter().enumerate() {
        if labels[..idx].contains(label) {
            return Err("duplicate_level");
        }
    }
    Ok([
        labels[0].clone(),
        labels[1].clone(),
        labels[2].clone(),
        labels[3].clone(),
    ])
}

/// The label of a score (4 = best = first label).
pub fn level_label(labels: &[String; 4], score: i16) -> &str {
    let idx = (BEST - score.clamp(WORST, BEST)) as usize;
    &labels[idx]
}

/// Whether a score is one of the four levels.
pub fn valid_score(score: i16) -> bool {
    (WORST..=BEST).contains(&score)
}

/// How a card is sent, from what is on file for the customer: the portal when the customer
/// has an active portal user, else e-mail, else a text message to a mobile number, else a
/// letter.
pub fn choose_channel(has_portal_user: bool, email: Option<&str>, phone: &str) -> Channel {
    if has_portal_user {
        Channel::Portal
    } else if email.is_some_and(|e| e.contains('@')) {
        Channel::Email
    } else if is_mobile(phone) {
        Channel::Sms
    } else {
        Channel::Letter
    }
}

/// A mainland mobile number: 11 digits starting with 1 (separators ignored).
pub fn is_mobile(phone: &str) -> bool {
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    let digits = digits
        .strip_prefix("86")
        .filter(|d| d.len() == 11)
        .unwrap_or(&digits);
    digits.len() == 11 && digits.starts_with('1')
}

/// The instants `[start, end)` of a calendar day in a zone, as Unix milliseconds.
pub fn day_bounds_ms(day: Date, zone: &TimeZone) -> Option<(i64, i64)> {
    let start = day.to_zoned(zone.clone()).ok()?;
    let end = day.tomorrow().ok()?.to_zoned(zone.clone()).ok()?;
    Some((
        start.timestamp().as_millisecond(),
        end.timestamp().as_millisecond(),
    ))
}

/// When the cards for the calls of `day` go out: 08:00 of the next day in the branch's
/// zone ("on the next day", SURVEY-1; the hour is a design decision so letters and calls
/// fall into office hours).
pub fn send_instant_ms(day: Date, zone: &TimeZone) -> Option<i64> {
    let next = day.tomorrow().ok()?;
    let at = next.at(8, 0, 0, 0).to_zoned(zone.clone()).ok()?;
    Some(at.timestamp().as_millisecond())
}

/// The ratings of one answered card, in [`Aspect::ALL`] order.
pub type Ratings = [i16; 4];

/// The tally of a group of cards (a technician's month, a branch's month).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    pub sent: u32,
    pub answered: u32,
    /// Per aspect (in [`Aspect::ALL`] order), the count of answers per score; index 0 is
    /// the best level (score 4).
    pub counts: [[u32; 4]; 4],
    /// Answers with a suggestion or complaint.
    pub remarks: u32,
}

impl Tally {
    /// Adds one card: `ratings` when it was answered.
    pub fn add(&mut self, ratings: Option<Ratings>, has_remark: bool) {
        self.sent += 1;
        if let Some(ratings) = ratings {
            self.answered += 1;
            for (aspect, score) in ratings.iter().enumerate() {
                if valid_score(*score) {
                    self.counts[aspect][(BEST - score) as usize] += 1;
                }
            }
            if has_remark {
                self.remarks += 1;
            }
        }
    }

    /// The average score of an aspect (1–4, higher is better); none without answers.
    pub fn average(&self, aspect: Aspect) -> Option<f64> {
        let counts = &self.counts[aspect_index(aspect)];
        let answers: u32 = counts.iter().sum();
        if answers == 0 {
            return None;
        }
        let total: u32 = counts
            .iter()
            .enumerate()
            .map(|(idx, n)| n * (BEST as u32 - idx as u32))
            .sum();
        Some(f64::from(total) / f64::from(answers))
    }

    /// The share of sent cards answered, in per cent; none when nothing was sent.
    pub fn response_rate_percent(&self) -> Option<f64> {
        (self.sent > 0).then(|| f64::from(self.answered) * 100.0 / f64::from(self.sent))
    }

    /// The share of ratings at the best two levels (满意 or better), over all aspects.
    pub fn satisfied_percent(&self) -> Option<f64> {
        let all: u32 = self.counts.iter().flatten().sum();
        let satisfied: u32 = self.counts.iter().map(|c| c[0] + c[1]).sum();
        (all > 0).then(|| f64::from(satisfied) * 100.0 / f64::from(all))
    }
}

pub fn aspect_index(aspect: Aspect) -> usize {
    Aspect::ALL.iter().position(|a| *a == aspect).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_default_levels_are_four_labels_best_first() {
        let labels = parse_levels(DEFAULT_LEVELS).unwrap();
        assert_eq!(level_label(&labels, 4), "很满意");
        assert_eq!(level_label(&labels, 1), "不满意");
    }

    #[test]
    fn level_settings_need_four_different_labels() {
        for (text, expected) in [
            ("很好/好/一般/差", Ok(())),
            ("很好/好/一般", Err("four_levels_needed")),
            ("很好/好//差", Err("four_levels_needed")),
            ("好/好/一般/差", Err("duplicate_level")),
            ("a/b/c/d/e", Err("four_levels_needed")),
        ] {
            assert_eq!(parse_levels(text).map(|_| ()), expected, "{text}");
        }
    }

    #[test]
    fn the_channel_follows_what_is_on_file() {
        for (portal, email, phone, expected) in [
            (true, Some("a@b.cn"), "13800000000", Channel::Portal),
            (false, Some("a@b.cn"), "13800000000", Channel::Email),
            (false, None, "138-0000-0000", Channel::Sms),
            (false, Some("no-address"), "+86 13800000000", Channel::Sms),
            (false, None, "010-66001234", Channel::Letter),
        ] {
            assert_eq!(
                choose_channel(portal, email, phone),
                expected,
                "{email:?} {phone}"
            );
        }
    }

    #[test]
    fn cards_go_out_at_eight_the_next_morning_in_the_branch_zone() {
        let zone = TimeZone::get("Asia/Shanghai").unwrap();
        let day: Date = "2026-11-22".parse().unwrap();
        let at = send_instant_ms(day, &zone).unwrap();
        assert_eq!(
            jiff::Timestamp::from_millisecond(at).unwrap().to_string(),
            "2026-11-23T00:00:00Z"
        );
        let (start, end) = day_bounds_ms(day, &zone).unwrap();
        assert_eq!(end - start, 86_400_000);
        assert_eq!(
            jiff::Timestamp::from_millisecond(start)
                .unwrap()
                .to_string(),
            "2026-11-21T16:00:00Z"
        );
    }

    #[test]
    fn a_tally_counts_answers_averages_and_the_response_rate() {
        let mut tally = Tally::default();
        tally.add(Some([4, 3, 2, 1]), true);
        tally.add(Some([4, 4, 4, 4]), false);
        tally.add(None, false);
        tally.add(None, false);
        assert_eq!((tally.sent, tally.answered, tally.remarks), (4, 2, 1));
        assert_eq!(tally.average(Aspect::Attitude), Some(4.0));
        assert_eq!(tally.average(Aspect::Promise), Some(2.5));
        assert_eq!(tally.response_rate_percent(), Some(50.0));
        assert_eq!(tally.satisfied_percent(), Some(75.0));
        assert_eq!(Tally::default().average(Aspect::Arrival), None);
        assert_eq!(Tally::default().response_rate_percent(), None);
    }

    #[test]
    fn only_an_unanswered_call_keeps_a_follow_up_due() {
        for outcome in CallOutcome::ALL {
            assert_eq!(
                outcome.closes(),
                *outcome != CallOutcome::NoAnswer,
                "{outcome}"
            );
        }
    }

    proptest! {
        #[test]
        fn averages_stay_within_the_levels_and_answers_never_exceed_cards(
            cards in proptest::collection::vec(proptest::option::of(proptest::array::uniform4(1i16..=4)), 0..40)
        ) {
            let mut tally = Tally::default();
            for ratings in &cards {
                tally.add(*ratings, false);
            }
            prop_assert!(tally.answered <= tally.sent);
            for aspect in Aspect::ALL {
                if let Some(avg) = tally.average(*aspect) {
                    prop_assert!((1.0..=4.0).contains(&avg));
                }
            }
            if let Some(rate) = tally.response_rate_percent() {
                prop_assert!((0.0..=100.0).contains(&rate));
            }
        }
    }
}
