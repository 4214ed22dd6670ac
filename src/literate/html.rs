//! A pack as one self-contained HTML page for review: no scripts, no fonts, no images, nothing
//! fetched. Every text from the pack is escaped where it is written into the page: titles,
//! citations, quotations and logic with `pulldown_cmark_escape`, after `values::printable`. The
//! pack's prose and readings are Markdown, turned into HTML by `pulldown-cmark` with raw HTML shown
//! as text, images shown as their text, and links kept only to web, mail and relative addresses:
//! a local pack is hostile input like any model file, and its page must not run or fetch
//! anything. (Built with plain writes rather than a templating crate, so that this page shares no
//! machinery with the report's HTML and can follow it when that changes.)

use std::fmt::Write as _;

use pulldown_cmark::{CowStr, Event, LinkType, Options, Parser, Tag, TagEnd};

use super::{LiteratePack, LiterateRule, NOT_LEGAL_ADVICE, Part};
use crate::values::printable;

/// Renders a pack as an HTML page.
pub fn render(pack: &LiteratePack) -> String {
    let mut out = String::with_capacity(32 * 1024);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<header>\n",
        escape(&pack.heading())
    );
    let _ = writeln!(
        out,
        "<h1><code>{}</code>{}</h1>",
        escape(&pack.name),
        pack.title
            .as_deref()
            .map_or(String::new(), |title| format!(": {}", escape(title)))
    );
    let (first, rest) = NOT_LEGAL_ADVICE
        .split_once(". ")
        .unwrap_or((NOT_LEGAL_ADVICE, ""));
    let _ = writeln!(
        out,
        "<p class=\"advice\"><strong>{}.</strong> {}</p>",
        escape(first),
        escape(rest)
    );
    if let Some(in_force) = pack.in_force {
        let _ = writeln!(
            out,
            "<p>The pack is in force {}.</p>",
            escape(&in_force.describe())
        );
    }
    out.push_str("<nav aria-label=\"Rules\">\n<h2>Rules</h2>\n<ol>\n");
    for rule in pack.rules() {
        let _ = writeln!(
            out,
            "<li><a href=\"#{}\"><code>{}</code></a>{}{}</li>",
            escape(&rule.anchor()),
            escape(&rule.id),
            rule.title
                .as_deref()
                .map_or(String::new(), |title| format!(": {}", escape(title))),
            version(rule)
        );
    }
    out.push_str("</ol>\n</nav>\n</header>\n<main>\n");
    let mut parts = pack.parts.iter().peekable();
    while let Some(part) = parts.next() {
        match part {
            Part::Prose(prose) => markdown(&mut out, prose),
            Part::Parameter { .. } => {
                out.push_str(
                    "<table class=\"parameters\">\n<caption>Parameters</caption>\n\
                     <thead><tr><th>parameter</th><th>default</th><th>meaning</th></tr></thead>\n<tbody>\n",
                );
                let mut parameter = Some(part);
                while let Some(Part::Parameter {
                    name,
                    default,
                    reading,
                }) = parameter
                {
                    let _ = write!(
                        out,
                        "<tr><td><code>{}</code></td><td><code>{}</code></td><td>",
                        escape(name),
                        escape(default)
                    );
                    if let Some(reading) = reading {
                        markdown(&mut out, reading);
                    }
                    out.push_str("</td></tr>\n");
                    parameter = parts.next_if(|next| matches!(next, Part::Parameter { .. }));
                }
                out.push_str("</tbody>\n</table>\n");
            }
            Part::Rule(rule) => rule_section(&mut out, rule),
        }
    }
    out.push_str("</main>\n<footer><p>Made by Coop ");
    out.push_str(env!("CARGO_PKG_VERSION"));
    out.push_str(" from the pack's text. Not legal advice.</p></footer>\n</body>\n</html>\n");
    out
}

fn rule_section(out: &mut String, rule: &LiterateRule) {
    let _ = writeln!(
        out,
        "<section class=\"rule\" id=\"{}\">\n<h3><code>{}</code>{}{}</h3>",
        escape(&rule.anchor()),
        escape(&rule.id),
        rule.title
            .as_deref()
            .map_or(String::new(), |title| format!(": {}", escape(title))),
        version(rule)
    );
    let mut notes = Vec::new();
    if let Some(citation) = &rule.citation {
        notes.push(format!("Cites {}", escape(citation)));
    }
    if let Some(in_force) = rule.in_force {
        notes.push(format!("In force {}", escape(&in_force.describe())));
    }
    if !notes.is_empty() {
        let _ = writeln!(out, "<p class=\"notes\">{}</p>", notes.join(" · "));
    }
    for quote in &rule.quotes {
        let address = quote
            .from
            .split(' ')
            .find_map(|word| web_address(word.trim_end_matches([',', ';', '.', ')'])));
        out.push_str("<figure class=\"quote\">\n<blockquote");
        if let Some(address) = address {
            let _ = write!(out, " cite=\"{}\"", escape(address));
        }
        out.push_str(">\n");
        for paragraph in quote.text.split("\n\n") {
            let _ = writeln!(
                out,
                "<p>{}</p>",
                paragraph
                    .lines()
                    .map(escape)
                    .collect::<Vec<_>>()
                    .join("<br>\n")
            );
        }
        let from = linked(&quote.from);
        let _ = writeln!(
            out,
            "</blockquote>\n<figcaption>Read {} at {from}</figcaption>\n</figure>",
            quote.read
        );
    }
    if let Some(reason) = &rule.unquoted {
        let _ = writeln!(
            out,
            "<p class=\"unquoted\">Not quoted: {}</p>",
            escape(reason)
        );
    }
    if let Some(reading) = &rule.reading {
        out.push_str("<div class=\"reading\">\n");
        markdown(out, reading);
        out.push_str("</div>\n");
    }
    let _ = writeln!(
        out,
        "<details class=\"logic\" open>\n<summary>The rule as written</summary>\n<pre><code>{}</code></pre>\n</details>\n</section>",
        rule.logic
            .lines()
            .map(escape)
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// ` (in force ...)` for one of several versions of a rule.
fn version(rule: &LiterateRule) -> String {
    match (rule.versioned, rule.in_force) {
        (true, Some(in_force)) => format!(
            " <span class=\"version\">(in force {})</span>",
            escape(&in_force.describe())
        ),
        _ => String::new(),
    }
}

/// Where a quotation was read, its web addresses linked.
fn linked(from: &str) -> String {
    from.split(' ')
        .map(|word| {
            let address = word.trim_end_matches([',', ';', '.', ')']);
            match web_address(address) {
                Some(address) => format!(
                    "<a href=\"{}\">{}</a>{}",
                    escape(address),
                    escape(address),
                    escape(&word[address.len()..])
                ),
                None => escape(word),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A web address, which may be linked; `None` for anything else.
fn web_address(from: &str) -> Option<&str> {
    ((from.starts_with("https://") || from.starts_with("http://"))
        && !from.contains(char::is_whitespace))
    .then_some(from)
}

/// Markdown from the pack as HTML: raw HTML is shown as text, an image as its text, and a link
/// keeps its address only when it is a web, mail or relative one.
fn markdown(out: &mut String, text: &str) {
    let mut in_image = 0usize;
    let events = Parser::new_ext(text, Options::ENABLE_TABLES).filter_map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Some(Event::Text(raw)),
        Event::Start(Tag::Image { .. }) => {
            in_image += 1;
            None
        }
        Event::End(TagEnd::Image) => {
            in_image = in_image.saturating_sub(1);
            None
        }
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => Some(Event::Start(Tag::Link {
            link_type: if safe_link(&dest_url) {
                link_type
            } else {
                LinkType::Inline
            },
            dest_url: if safe_link(&dest_url) {
                dest_url
            } else {
                CowStr::Borrowed("#")
            },
            title,
            id,
        })),
        Event::Text(text) => Some(Event::Text(CowStr::from(printable_lines(&text)))),
        other => Some(other),
    });
    pulldown_cmark::html::push_html(out, events);
}

/// A link that opens a page, a mail or a file beside this one, and runs nothing.
fn safe_link(address: &str) -> bool {
    let scheme_end = address.find(':');
    let path_start = address.find(['/', '?', '#']);
    match (scheme_end, path_start) {
        (None, _) => true,
        (Some(colon), Some(path)) if path < colon => true,
        _ => {
            let lower = address.to_ascii_lowercase();
            lower.starts_with("https://")
                || lower.starts_with("http://")
                || lower.starts_with("mailto:")
        }
    }
}

/// Text with its control characters shown escaped, line by line: its line breaks stay.
fn printable_lines(text: &str) -> String {
    text.split('\n')
        .map(printable)
        .collect::<Vec<_>>()
        .join("\n")
}

/// Text for element content and attribute values; control characters shown escaped.
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    let _ = pulldown_cmark_escape::escape_html(&mut escaped, &printable(text));
    escaped
}

/// Plain, printable styling, close to the report's.
const STYLE: &str = "
:root { --ink: #1b1f24; --muted: #5a6270; --line: #d0d5dc; --quote: #f6f3ea; --accent: #3b5b92; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; color: var(--ink);
  margin: 0 auto; max-width: 60rem; padding: 1rem 1.5rem 3rem; line-height: 1.5; }
header { border-bottom: 2px solid var(--ink); margin-bottom: 1rem; }
h1 { margin: 0.2rem 0; font-size: 1.7rem; }
h2 { border-bottom: 1px solid var(--line); padding-bottom: 0.2rem; margin-top: 2rem; }
.advice { background: #fff4c2; padding: 0.4rem 0.6rem; }
nav ol { columns: 2; padding-left: 1.4rem; }
section.rule { border-top: 1px solid var(--line); margin-top: 1.6rem; padding-top: 0.4rem; }
section.rule:target { background: #f3f5f8; }
.notes, .version, figcaption { color: var(--muted); font-size: 0.92rem; }
figure.quote { margin: 0.6rem 0 1rem; }
blockquote { margin: 0; padding: 0.5rem 0.9rem; background: var(--quote); border-left: 4px solid var(--accent);
  font-family: Georgia, 'Times New Roman', serif; }
blockquote p { margin: 0.3rem 0; }
.unquoted { font-style: italic; color: var(--muted); }
pre { background: #f6f8fa; border-left: 3px solid var(--line); padding: 0.5rem 0.7rem; overflow-x: auto;
  font-size: 0.85rem; }
/* A rule as written wraps: a reviewer reads a long message without scrolling sideways. */
.logic pre { white-space: pre-wrap; overflow-wrap: anywhere; }
code { font-family: ui-monospace, 'SF Mono', Menlo, monospace; }
table { border-collapse: collapse; width: 100%; margin: 0.5rem 0 1rem; font-size: 0.95rem; }
caption { text-align: left; font-weight: 600; }
th, td { border-bottom: 1px solid var(--line); padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; }
th { background: #f3f5f8; }
td p { margin: 0; }
footer { margin-top: 3rem; color: var(--muted); font-size: 0.85rem; border-top: 1px solid var(--line); }
@media print { nav { display: none; } details.logic { display: block; } section.rule { break-inside: avoid; } }
";
