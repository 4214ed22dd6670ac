//! Every example's HTML report loads in headless Chromium with no console message, and the
//! rendered page has its sections, its charts and every reason an order is denied.
//!
//! Needs Debian's `chromium` (`.ci/run` installs it). Without it the test says so and passes,
//! except in CI, where a missing browser fails the run.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

#[test]
fn html_reports_render_in_a_browser() {
    let Some(browser) = chromium() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have Chromium to test the HTML report: .ci/run installs Debian's `chromium`"
        );
        eprintln!("skipped: no Chromium here (apt-get install chromium)");
        return;
    };
    let directory = Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser");
    std::fs::create_dir_all(&directory).expect("scratch directory");
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&examples)
        .expect("examples/")
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| {
            path.extension()
                .is_some_and(|extension| extension == "coop")
        })
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no examples to render");
    for path in paths {
        let report = common::report_of(&path);
        let name = path
            .file_stem()
            .map(|stem| stem.to_string_lossy().into_owned())
            .unwrap_or_default();
        let page = directory.join(format!("{name}.html"));
        std::fs::write(&page, coop::report::html::render(&report)).expect("write the page");
        let (dom, log) = load(&browser, &page, &directory.join(format!("profile-{name}")));

        let console: Vec<&str> = log
            .lines()
            .filter(|line| line.contains(":CONSOLE"))
            .collect();
        assert!(
            console.is_empty(),
            "{name}: the browser console reported:\n{}",
            console.join("\n")
        );
        for section in ["summary", "orders", "contracts", "agencies", "findings"] {
            assert!(
                dom.contains(&format!("id=\"{section}\"")),
                "{name}: no `{section}` section"
            );
        }
        let charts = dom.matches("<svg").count();
        assert!(
            charts >= 2 * report.contracts.len(),
            "{name}: {charts} charts for {} contracts",
            report.contracts.len()
        );
        for contract in &report.contracts {
            assert!(
                dom.contains(&format!("id=\"use-{}-title\"", contract.name)),
                "{name}: no use chart for {}",
                contract.name
            );
            assert!(
                dom.contains(&format!("id=\"time-{}-title\"", contract.name)),
                "{name}: no timeline for {}",
                contract.name
            );
            assert!(
                dom.contains("Negotiating position"),
                "{name}: no negotiating position"
            );
        }
        for order in &report.orders {
            assert!(
                dom.contains(&format!("id=\"order-{}\"", order.name)),
                "{name}: order {} missing",
                order.name
            );
            for reason in &order.reasons {
                assert!(
                    dom.contains(reason.code.name()),
                    "{name}: reason {} of {} missing",
                    reason.code.name(),
                    order.name
                );
            }
        }
        for finding in &report.findings {
            assert!(
                dom.contains(finding.code.name()),
                "{name}: finding {} missing",
                finding.code.name()
            );
        }
    }
}

/// The page's DOM after loading, and the browser's log.
fn load(browser: &Path, page: &Path, profile: &Path) -> (String, String) {
    let output = Command::new("timeout")
        .arg("120")
        .arg(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("Chromium runs");
    assert!(
        output.status.success(),
        "Chromium failed on {}: {}",
        page.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Debian's Chromium, or another Chromium named by `COOP_CHROMIUM`.
fn chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("COOP_CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|directory| ["chromium", "chromium-browser"].map(|name| directory.join(name)))
        .find(|candidate| candidate.is_file())
}

/// Every shipped pack's page (`coop rules PACK --format html`) loads in headless Chromium with no
/// console message, and shows each rule in its own section with what it quotes, or why it quotes
/// nothing, and the rule as written: the page a reviewer reads beside the statute.
#[test]
fn pack_pages_render_in_a_browser() {
    let Some(browser) = chromium() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have Chromium to test the pack pages: .ci/run installs Debian's `chromium`"
        );
        eprintln!("skipped: no Chromium here (apt-get install chromium)");
        return;
    };
    let directory = Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser-packs");
    std::fs::create_dir_all(&directory).expect("scratch directory");
    for pack in coop::packs::SHIPPED {
        let literate = coop::literate::LiteratePack::read(pack.name, pack.text)
            .unwrap_or_else(|| panic!("rules/{}.coop does not parse", pack.name));
        let page = directory.join(format!("{}.html", pack.name));
        std::fs::write(&page, coop::literate::html(&literate)).expect("write the page");
        let (dom, log) = load(
            &browser,
            &page,
            &directory.join(format!("profile-{}", pack.name)),
        );
        let console: Vec<&str> = log
            .lines()
            .filter(|line| line.contains(":CONSOLE"))
            .collect();
        assert!(
            console.is_empty(),
            "{}: the browser console reported:\n{}",
            pack.name,
            console.join("\n")
        );
        assert!(
            dom.contains("Not legal advice."),
            "{}: no advice",
            pack.name
        );
        for rule in literate.rules() {
            let start = dom
                .find(&format!(
                    "<section class=\"rule\" id=\"{}\">",
                    rule.anchor()
                ))
                .unwrap_or_else(|| panic!("{}: no section for {}", pack.name, rule.id));
            let section = &dom[start
                ..dom[start..]
                    .find("</section>")
                    .map_or(dom.len(), |end| start + end)];
            let quoted = section.matches("<blockquote").count();
            assert_eq!(
                quoted,
                rule.quotes.len(),
                "{}: {} shows {quoted} of its {} quotations",
                pack.name,
                rule.id,
                rule.quotes.len()
            );
            assert!(
                !rule.quotes.is_empty() || section.contains("class=\"unquoted\""),
                "{}: {} quotes nothing and does not say why",
                pack.name,
                rule.id
            );
            assert!(
                section.contains("The rule as written"),
                "{}: {} does not show its logic",
                pack.name,
                rule.id
            );
        }
    }
}
