//! Narration that stays true after a branch. A lesson's narration is written for its own
//! script; once the user acts (a crash, a cut, a setting: anything but a narration of
//! their own), what follows is no longer that script. From the step the first such action
//! became, the narration says so and tells what the engine itself did last: the latest
//! election, ISR change, fencing, crash, truncation, rebalance or anomaly (the timeline's
//! markers, which have both languages).
use super::view::Marker;
use super::{Command, Lang, Session};

/// Marker kinds that narrate what the engine did.
const ENGINE_KINDS: &[&str] = &[
    "election",
    "isr",
    "fenced",
    "crash",
    "restart",
    "controller",
    "truncation",
    "rebalance",
    "partitions",
    "anomaly",
    "txn-commit",
    "txn-abort",
    "producer-error",
];

impl Session {
    /// The step the run left its script at (the first hand-made action other than a
    /// narration became that step), if the cursor is there or later.
    pub fn off_script_since(&self) -> Option<u64> {
        let (at, _) = self.actions.iter().find(|(_, c)| !matches!(c, Command::Narrate(_)))?;
        let step = at + 1;
        (self.cursor() >= step).then_some(step)
    }

    /// The narration once off script: the notice, then the engine's latest event since.
    pub(super) fn off_script_narration(&self, since: u64, lang: Lang) -> String {
        let cursor = self.cursor();
        let upto = self.markers.partition_point(|m| m.step <= cursor);
        let latest: Option<&Marker> =
            self.markers[..upto].iter().rev().take_while(|m| m.step >= since).find(|m| ENGINE_KINDS.contains(&m.kind));
        match (lang, latest) {
            (Lang::En, Some(m)) => format!(
                "Off script since step {since}: the lesson's narration no longer applies. Latest from the engine (step {}): {}.",
                m.step,
                m.label.trim_end_matches('.')
            ),
            (Lang::En, None) => {
                format!("Off script since step {since}: the lesson's narration no longer applies. Nothing notable from the engine since.")
            }
            (Lang::Zh, Some(m)) => format!(
                "自第 {since} 步起已偏离课程脚本：课程旁白不再适用。引擎最新事件（第 {} 步）：{}。",
                m.step,
                m.label_zh.trim_end_matches(['。', '.'])
            ),
            (Lang::Zh, None) => format!("自第 {since} 步起已偏离课程脚本：课程旁白不再适用。此后引擎没有值得注意的事件。"),
        }
    }
}
