use yew::prelude::*;

use crate::ui::i18n::{t, Lang, K};

#[derive(Properties, PartialEq)]
pub struct LegendProps {
    pub lang: Lang,
}

/// What the cells, lines and marks mean.
#[function_component(Legend)]
pub fn legend(p: &LegendProps) -> Html {
    let l = p.lang;
    let cell = |class: &'static str, label: &'static str| html! {
        <li><svg width="22" height="16" aria-hidden="true"><rect class={class} x="1" y="1" width="20" height="14" rx="3" /></svg>{ label }</li>
    };
    html! {
        <ul class="hw-legend" aria-label={t(l, K::Legend)} data-testid="legend">
            { cell("hw-cell committed", t(l, K::LegendCommitted)) }
            { cell("hw-cell uncommitted", t(l, K::LegendUncommitted)) }
            { cell("hw-cell truncated", t(l, K::LegendTruncated)) }
            <li><span class="hw-tag-sample hw">{ "HW" }</span>{ t(l, K::HwLong) }</li>
            <li><span class="hw-tag-sample leo">{ "LEO" }</span>{ t(l, K::LeoLong) }</li>
            <li><svg width="22" height="10" aria-hidden="true"><rect class="hw-epoch-band e1" x="1" y="3" width="20" height="4" /></svg>{ t(l, K::LegendEpoch) }</li>
            <li><span class="hw-sym pos">{ "▼" }</span>{ t(l, K::LegendPosition) }</li>
            <li><span class="hw-sym com">{ "◆" }</span>{ t(l, K::LegendCommittedOffset) }</li>
            <li><span class="hw-sym req">{ "●" }</span>{ t(l, K::LegendRequest) }{ " / " }<span class="hw-sym resp">{ "○" }</span>{ t(l, K::LegendResponse) }</li>
            <li><span class="hw-sym drop">{ "✕" }</span>{ t(l, K::LegendDrop) }</li>
            <li><span class="hw-sym cut">{ "✂" }</span>{ t(l, K::LegendCut) }</li>
        </ul>
    }
}
