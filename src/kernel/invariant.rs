//! Invariants: rules a model states about its own state, checked after every step.
//!
//! A model implements [`Model::check_invariants`](super::Model::check_invariants); the
//! kernel knows nothing of what the rules say. [`Simulation`](super::Simulation) calls the
//! check after every step in debug builds (tests included) and panics on a breach, naming
//! the rule, the step and the object; release builds never call it on their own (no cost
//! to the page), but [`Simulation::check_invariants`](super::Simulation::check_invariants)
//! is public so a release-mode test can call it after every step.
use std::fmt;

/// One rule that does not hold after a step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvariantViolation {
    /// The rule, e.g. "leader in ISR".
    pub invariant: &'static str,
    /// What breaks it, e.g. "partition t-0 at the controller".
    pub object: String,
    /// The values that break it.
    pub detail: String,
}

impl InvariantViolation {
    pub fn new(invariant: &'static str, object: impl Into<String>, detail: impl Into<String>) -> Self {
        InvariantViolation { invariant, object: object.into(), detail: detail.into() }
    }
}

impl fmt::Display for InvariantViolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invariant \"{}\" broken by {}: {}", self.invariant, self.object, self.detail)
    }
}

impl std::error::Error for InvariantViolation {}

/// `Err` with a violation unless `holds`; `detail` is only built on a breach.
pub fn ensure(
    holds: bool,
    invariant: &'static str,
    object: impl FnOnce() -> String,
    detail: impl FnOnce() -> String,
) -> Result<(), InvariantViolation> {
    if holds {
        Ok(())
    } else {
        Err(InvariantViolation { invariant, object: object(), detail: detail() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_violation_names_the_rule_the_object_and_the_values() {
        let v = InvariantViolation::new("HW <= LEO", "replica t-0 on broker 1", "HW 5 > LEO 3");
        assert_eq!(v.to_string(), "invariant \"HW <= LEO\" broken by replica t-0 on broker 1: HW 5 > LEO 3");
        assert!(ensure(true, "x", || unreachable!(), || unreachable!()).is_ok());
        assert_eq!(ensure(false, "x", || "o".into(), || "d".into()), Err(InvariantViolation::new("x", "o", "d")));
    }
}
