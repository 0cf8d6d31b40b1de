//! Every link between README.md and docs/*.md leads somewhere: the file exists and, for a
//! `#fragment`, the file has a heading whose GitHub anchor it is.
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// GitHub's anchor for a heading: lower case, punctuation other than `-` and `_` dropped,
/// spaces turned into `-`.
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-' || *c == '_')
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// The anchors of a markdown file's headings (outside code blocks).
fn anchors(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut fenced = false;
    for line in text.lines() {
        if line.starts_with("```") {
            fenced = !fenced;
        } else if !fenced && line.starts_with('#') {
            out.insert(slug(line.trim_start_matches('#')));
        }
    }
    out
}

/// `(target, fragment)` of every `](target#fragment)` link outside code blocks.
fn links(text: &str) -> Vec<(String, Option<String>)> {
    let mut out = Vec::new();
    let mut fenced = false;
    for line in text.lines() {
        if line.starts_with("```") {
            fenced = !fenced;
            continue;
        }
        let mut rest = line;
        while let Some(i) = rest.find("](") {
            rest = &rest[i + 2..];
            let Some(end) = rest.find(')') else { break };
            let link = &rest[..end];
            if !fenced && !link.contains("://") && !link.starts_with("mailto:") {
                let (file, frag) = match link.split_once('#') {
                    Some((f, x)) => (f.to_string(), Some(x.to_string())),
                    None => (link.to_string(), None),
                };
                out.push((file, frag));
            }
        }
    }
    out
}

#[test]
fn every_link_between_the_docs_leads_somewhere() {
    let mut docs: Vec<PathBuf> = vec![root().join("README.md")];
    for e in std::fs::read_dir(root().join("docs")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "md") {
            docs.push(p);
        }
    }
    docs.sort();
    let mut broken = Vec::new();
    let mut checked = 0;
    for doc in &docs {
        let text = std::fs::read_to_string(doc).unwrap();
        for (file, frag) in links(&text) {
            let target = if file.is_empty() { doc.clone() } else { doc.parent().unwrap().join(&file) };
            checked += 1;
            if !target.exists() {
                broken.push(format!("{}: {file} does not exist", doc.display()));
                continue;
            }
            let Some(frag) = frag.filter(|_| target.extension().is_some_and(|x| x == "md")) else { continue };
            if !anchors(&std::fs::read_to_string(&target).unwrap()).contains(&frag) {
                broken.push(format!("{}: {file}#{frag} names no heading", doc.display()));
            }
        }
    }
    assert!(broken.is_empty(), "{}", broken.join("\n"));
    assert!(checked > 50, "only {checked} links found");
}

#[test]
fn slugs_are_githubs() {
    assert_eq!(slug(" 1.3 The network"), "13-the-network");
    assert_eq!(slug(" `highwater assign`"), "highwater-assign");
    assert_eq!(slug(" RocketMQ scenarios"), "rocketmq-scenarios");
}
