//! `C/impl/consumer/RebalanceService`: the thread that runs `doRebalance`. It waits
//! `rocketmq.client.rebalance.waitInterval` (20 s) between runs, and a wakeup (start-up,
//! NOTIFY_CONSUMER_IDS_CHANGED) ends the wait at once; either way the next wait starts
//! after the run. 5.x also keeps runs `rocketmq.client.rebalance.minInterval` (1 s) apart:
//! a wakeup sooner than that waits for the rest (every run counts as balanced here, so the
//! wait after a run is always the full interval).

use super::Consumer;
use crate::kernel::{Ctx, Time};
use crate::rocketmq::config::Version;
use crate::rocketmq::world::{Spec, Timer, World};

impl Consumer {
    /// The service thread starts waiting.
    pub(crate) fn start_rebalance_service(&mut self, ctx: &mut Ctx<World>) {
        self.wait_rebalance(ctx, self.config.rebalance_wait_interval as u64);
    }

    /// `RebalanceService.wakeup()`.
    pub fn wakeup_rebalance(&mut self, ctx: &mut Ctx<World>, spec: &Spec) {
        self.rebalance_loop(ctx, spec);
    }

    /// The wait ran out (only the latest wait counts: see [`Consumer::rebalance_due`]).
    pub fn on_rebalance_timer(&mut self, ctx: &mut Ctx<World>, spec: &Spec) {
        self.rebalance_loop(ctx, spec);
    }

    /// Whether a Rebalance timer firing now ends the service's current wait.
    pub fn rebalance_due(&self, now: Time) -> bool {
        self.rebalance_due == Some(now)
    }

    /// One turn of the service loop.
    fn rebalance_loop(&mut self, ctx: &mut Ctx<World>, spec: &Spec) {
        let min = self.config.rebalance_min_interval as u64;
        if self.config.version == Version::V5 {
            if let Some(last) = self.last_rebalance.filter(|l| ctx.now - l < min) {
                self.wait_rebalance(ctx, last + min - ctx.now);
                return;
            }
        }
        self.last_rebalance = Some(ctx.now);
        self.rebalance(ctx, spec);
        self.wait_rebalance(ctx, self.config.rebalance_wait_interval as u64);
    }

    fn wait_rebalance(&mut self, ctx: &mut Ctx<World>, ms: u64) {
        self.rebalance_due = Some(ctx.now + ms);
        ctx.set_timer(self.node, ms, Timer::Rebalance);
    }
}
