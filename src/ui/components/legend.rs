use yew::prelude::*;

use crate::ui::i18n::{t, Lang, K};

#[derive(Properties, PartialEq)]
pub struct LegendProps {
    pub lang: Lang,
    /// The scenario has transactions: explain their cells, the LSO and their messages.
    #[prop_or_default]
    pub transactions: bool,
    /// The run is about durability: explain the unflushed-record bar.
    #[prop_or_default]
    pub flush: bool,
    /// A RocketMQ run: its CommitLog cells, held pulls and pull lines instead of Kafka's.
    #[prop_or_default]
    pub rocketmq: bool,
}

/// What the cells, lines and marks mean.
#[function_component(Legend)]
pub fn legend(p: &LegendProps) -> Html {
    let l = p.lang;
    let cell = |class: &'static str, glyph: Option<&'static str>, label: &'static str| {
        html! {
            <li><svg width="22" height="16" aria-hidden="true"><rect class={class} x="1" y="1" width="20" height="14" rx="3" />
                if let Some(g) = glyph { <text class="hw-legend-glyph" x="11" y="12.5" text-anchor="middle">{ g }</text> }
                if class.contains("aborted") { <line class="hw-strike" x1="4" x2="18" y1="8" y2="8" /> }
                if class.contains("unflushed") { <rect class="hw-unflushed-bar" x="3" y="11" width="16" height="2.5" rx="1" /> }
                if class.contains("txn-open") { <rect class="hw-txn-open-inner" x="3.5" y="3.5" width="15" height="9" rx="2" /> }
            </svg>{ label }</li>
        }
    };
    if p.rocketmq {
        return rocketmq_legend(p);
    }
    html! {
        <ul class="hw-legend" aria-label={t(l, K::Legend)} data-testid="legend">
            { cell("hw-cell committed", None, t(l, K::LegendCommitted)) }
            { cell("hw-cell uncommitted", None, t(l, K::LegendUncommitted)) }
            { cell("hw-cell truncated", None, t(l, K::LegendTruncated)) }
            if p.flush {
                { cell("hw-cell committed unflushed", None, t(l, K::LegendUnflushed)) }
            }
            if p.transactions {
                { cell("hw-cell committed txn-open", None, t(l, K::LegendTxnOpen)) }
                { cell("hw-cell aborted", None, t(l, K::LegendAborted)) }
                { cell("hw-cell marker-commit", Some("✓"), t(l, K::LegendCommitMarker)) }
                { cell("hw-cell marker-abort", Some("✗"), t(l, K::LegendAbortMarker)) }
            }
            <li><span class="hw-tag-sample hw">{ "HW" }</span>{ t(l, K::HwLong) }</li>
            <li><span class="hw-tag-sample leo">{ "LEO" }</span>{ t(l, K::LeoLong) }</li>
            if p.transactions {
                <li><span class="hw-tag-sample lso">{ "LSO" }</span>{ t(l, K::LsoLong) }</li>
            }
            <li><svg width="22" height="10" aria-hidden="true"><rect class="hw-epoch-band e1" x="1" y="3" width="20" height="4" /></svg>{ t(l, K::LegendEpoch) }</li>
            <li><span class="hw-sym pos">{ "▼" }</span>{ t(l, K::LegendPosition) }</li>
            <li><span class="hw-sym com">{ "◆" }</span>{ t(l, K::LegendCommittedOffset) }</li>
            <li><span class="hw-sym req">{ "●" }</span>{ t(l, K::LegendRequest) }{ " / " }<span class="hw-sym resp">{ "○" }</span>{ t(l, K::LegendResponse) }</li>
            if p.transactions {
                <li><span class="hw-sym txn">{ "⬢" }</span>{ t(l, K::LegendTxnRpc) }</li>
            }
            <li><span class="hw-sym drop">{ "✕" }</span>{ t(l, K::LegendDrop) }</li>
            <li><span class="hw-sym cut">{ "✂" }</span>{ t(l, K::LegendCut) }</li>
        </ul>
    }
}

/// A RocketMQ run's legend: flushed and dirty CommitLog entries, held pulls, pull lines,
/// and the messages.
fn rocketmq_legend(p: &LegendProps) -> Html {
    let l = p.lang;
    let cell = |class: &'static str, label: &'static str| {
        html! { <li><svg width="22" height="16" aria-hidden="true"><rect class={class} x="1" y="1" width="20" height="14" rx="3" /></svg>{ label }</li> }
    };
    html! {
        <ul class="hw-legend" aria-label={t(l, K::Legend)} data-testid="legend">
            { cell("hw-rcell flushed", t(l, K::LegendFlushed)) }
            { cell("hw-rcell dirty", t(l, K::LegendDirty)) }
            <li><span class="hw-sym">{ "◷" }</span>{ t(l, K::LegendHeld) }</li>
            <li><svg width="22" height="10" aria-hidden="true"><path class="hw-legend-pull" d="M1 5 L21 5" /></svg>{ t(l, K::LegendPullsFrom) }</li>
            <li><span class="hw-sym req">{ "●" }</span>{ t(l, K::LegendRequest) }{ " / " }<span class="hw-sym resp">{ "○" }</span>{ t(l, K::LegendResponse) }</li>
            <li><span class="hw-sym drop">{ "✕" }</span>{ t(l, K::LegendDrop) }</li>
            <li><span class="hw-sym cut">{ "✂" }</span>{ t(l, K::LegendCut) }</li>
        </ul>
    }
}
