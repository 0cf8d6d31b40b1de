use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ErrorBannerProps {
    pub error: Option<AttrValue>,
    pub on_dismiss: Callback<()>,
}

/// The error area: always present (so screen readers announce changes), empty when all is well.
#[function_component(ErrorBanner)]
pub fn error_banner(props: &ErrorBannerProps) -> Html {
    let Some(error) = props.error.clone() else {
        return html! { <div class="hw-error-area" data-testid="error" role="alert"></div> };
    };
    let on_dismiss = props.on_dismiss.reform(|_: MouseEvent| ());
    html! {
        <div class="hw-error-area" data-testid="error" role="alert">
            <div class="hw-error">
                <span class="hw-error-text">{ error }</span>
                <button class="hw-error-close" title="Dismiss" onclick={on_dismiss}>{ "×" }</button>
            </div>
        </div>
    }
}
