use yew::prelude::*;

use crate::ui::i18n::{t, Lang, K};
use crate::ui::state::{Action, Screen, Theme};

#[derive(Properties, PartialEq)]
pub struct TopBarProps {
    pub lang: Lang,
    pub theme: Theme,
    pub presenter: bool,
    pub screen: Screen,
    /// The open scenario's title, in the current language.
    pub title: Option<AttrValue>,
    pub has_session: bool,
    pub on_action: Callback<Action>,
    pub on_share: Callback<()>,
    pub on_export: Callback<()>,
    pub on_import: Callback<()>,
}

/// Brand, scenario title, sharing and file actions, and the display switches.
#[function_component(TopBar)]
pub fn top_bar(p: &TopBarProps) -> Html {
    let l = p.lang;
    let send = |a: Action| {
        let cb = p.on_action.clone();
        Callback::from(move |_: MouseEvent| cb.emit(a.clone()))
    };
    let lang_btn = |lang: Lang, label: &'static str, id: &'static str| {
        html! {
            <button class={classes!("hw-seg", (p.lang == lang).then_some("on"))} data-testid={id}
                aria-pressed={(p.lang == lang).to_string()} onclick={send(Action::SetLang(lang))}>{ label }</button>
        }
    };
    let (theme_label, next_theme, theme_icon) = match p.theme {
        Theme::Light => (t(l, K::ThemeDark), Theme::Dark, "☾"),
        Theme::Dark => (t(l, K::ThemeLight), Theme::Light, "☀"),
    };
    html! {
        <header class="hw-topbar">
            <button class="hw-brand" onclick={send(Action::ShowStart)} title={t(l, K::BackToScenarios)}>
                <svg class="hw-logo" viewBox="0 0 64 64" width="30" height="30" aria-hidden="true">
                    <rect width="64" height="64" rx="14" fill="#0f4c81"/>
                    <path d="M8 40c6-6 10-6 16 0s10 6 16 0 10-6 16 0v16H8z" fill="#5ec8f2"/>
                    <path d="M8 22h48" stroke="#ffd166" stroke-width="5" stroke-linecap="round"/>
                </svg>
                <h1>{ "Highwater" }</h1>
            </button>
            if p.screen == Screen::Lab {
                if let Some(title) = p.title.clone() {
                    <div class="hw-scenario-title" data-testid="scenario" title={title.clone()}>{ title }</div>
                }
            } else {
                <div class="hw-tagline">{ t(l, K::AppTagline) }</div>
            }
            <nav class="hw-topnav" aria-label={t(l, K::AppNav)}>
                if p.screen == Screen::Lab {
                    <button class="hw-tb" data-testid="scenarios" aria-label={t(l, K::Scenarios)} title={t(l, K::Scenarios)} onclick={send(Action::ShowStart)}>{ "☰" }<span class="hw-tb-label">{ " " }{ t(l, K::Scenarios) }</span></button>
                }
                if p.has_session && p.screen == Screen::Lab {
                    <button class="hw-tb" data-testid="share" aria-label={t(l, K::Share)} title={t(l, K::Share)} onclick={p.on_share.reform(|_: MouseEvent| ())}>{ "↗" }<span class="hw-tb-label">{ " " }{ t(l, K::Share) }</span></button>
                    <button class="hw-tb" data-testid="export" aria-label={t(l, K::Export)} title={t(l, K::Export)} onclick={p.on_export.reform(|_: MouseEvent| ())}>{ "↓" }<span class="hw-tb-label">{ " " }{ t(l, K::Export) }</span></button>
                }
                <button class="hw-tb" data-testid="import" aria-label={t(l, K::Import)} title={t(l, K::Import)} onclick={p.on_import.reform(|_: MouseEvent| ())}>{ "↑" }<span class="hw-tb-label">{ " " }{ t(l, K::Import) }</span></button>
                <span class="hw-segs" role="group" aria-label={t(l, K::Language)}>
                    { lang_btn(Lang::En, "EN", "lang-en") }
                    { lang_btn(Lang::Zh, "中文", "lang-zh") }
                </span>
                <button class="hw-tb" data-testid="theme" title={t(l, K::Theme)} onclick={send(Action::SetTheme(next_theme))}>
                    { theme_icon }{ " " }{ theme_label }
                </button>
                <button class={classes!("hw-tb", p.presenter.then_some("on"))} data-testid="presenter"
                    aria-pressed={p.presenter.to_string()} title={t(l, K::PresenterHint)}
                    onclick={send(Action::TogglePresenter)}>{ "▣ " }{ t(l, K::Presenter) }</button>
            </nav>
        </header>
    }
}
