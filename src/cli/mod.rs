//! Subcommands of the native `highwater` CLI. Each takes its arguments and
//! writers so it can be tested without spawning a process.
pub mod allocate;
pub mod assign;
pub mod partition;
pub mod run;
