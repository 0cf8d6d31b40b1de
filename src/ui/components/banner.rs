use yew::prelude::*;

use crate::ui::i18n::{t, Lang, K};

#[derive(Properties, PartialEq)]
pub struct BannerProps {
    pub error: Option<AttrValue>,
    pub notice: Option<AttrValue>,
    pub lang: Lang,
    pub on_dismiss_error: Callback<()>,
    pub on_dismiss_notice: Callback<()>,
}

/// Errors (red, with ⚠, announced) and notices (blue, with ℹ). The areas always exist so
/// screen readers announce changes.
#[function_component(Banner)]
pub fn banner(p: &BannerProps) -> Html {
    let close = t(p.lang, K::Dismiss);
    html! {
        <>
            <div class="hw-error-area" data-testid="error" role="alert">
                if let Some(e) = p.error.clone() {
                    <div class="hw-error">
                        <span class="hw-banner-icon" aria-hidden="true">{ "⚠" }</span>
                        <span class="hw-error-text" data-testid="error-text">{ e }</span>
                        <button class="hw-x" title={close} aria-label={close}
                            onclick={p.on_dismiss_error.reform(|_: MouseEvent| ())}>{ "×" }</button>
                    </div>
                }
            </div>
            <div class="hw-notice-area" data-testid="notice" role="status">
                if let Some(n) = p.notice.clone() {
                    <div class="hw-notice">
                        <span class="hw-banner-icon" aria-hidden="true">{ "ℹ" }</span>
                        <span>{ n }</span>
                        <button class="hw-x" title={close} aria-label={close}
                            onclick={p.on_dismiss_notice.reform(|_: MouseEvent| ())}>{ "×" }</button>
                    </div>
                }
            </div>
        </>
    }
}
