//! Every example's HTML report, opened in headless Chromium as a reader would: at 1280, 768 and
//! 400 pixels wide, and printed (on A4 and on Letter). Its script must sort and filter the table
//! of orders (`browser/interact.js`). In each view the page must be no wider than
//! the window, no element's text may spill out of its box, and no word may be broken by a line
//! (measured by a script in the page, `browser/measure.js`); every section must be there, and the
//! browser's console must stay silent. Each view's screenshot, and each printed PDF, is written to
//! `target/tmp/browser/` for a person to look at; nothing there is committed.
//!
//! Every shipped pack's page (`coop rules PACK --format html`) is opened the same way, and must
//! show each rule with its quotations.
//!
//! Chromium is driven over the DevTools protocol by the `headless_chrome` crate: widths, print
//! emulation, full-page screenshots and measuring need it, and the command line's `--dump-dom` and
//! `--screenshot` give one view a launch. Needs Debian's `chromium` (`.ci/run` installs it).
//! Without it the test says so and passes, except in CI (`CI` set), where it fails.

mod common;

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use headless_chrome::protocol::cdp::types::Event;
use headless_chrome::protocol::cdp::{Emulation, Page, Performance};
use headless_chrome::types::PrintToPdfOptions;
use headless_chrome::{Browser, LaunchOptions, Tab};

/// One way of looking at the page.
struct View {
    name: &'static str,
    width: u32,
    print: bool,
}

/// The widths a reader has: a laptop, a tablet, a phone; and the printable width of A4 and of
/// Letter paper at 96 pixels an inch, less the page's margins of 12 mm a side.
const VIEWS: &[View] = &[
    View {
        name: "1280",
        width: 1280,
        print: false,
    },
    View {
        name: "768",
        width: 768,
        print: false,
    },
    View {
        name: "400",
        width: 400,
        print: false,
    },
    View {
        name: "print-a4",
        width: 703,
        print: true,
    },
    View {
        name: "print-letter",
        width: 726,
        print: true,
    },
];

const SECTIONS: &[&str] = &[
    "summary",
    "denied",
    "orders",
    "contracts",
    "agencies",
    "findings",
];

#[test]
fn html_reports_read_well_at_every_width_and_in_print() {
    let Some(chromium) = chromium_to_test("the HTML report") else {
        return;
    };
    let directory = Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser");
    // A fresh profile and fresh screenshots every run.
    let _ = std::fs::remove_dir_all(&directory);
    std::fs::create_dir_all(&directory).expect("scratch directory");
    let browser = launch(chromium, &directory.join("profile"));

    // Every example, and a generated program large enough for the page to summarise it.
    let mut pages: Vec<(String, coop::report::Report)> = examples()
        .iter()
        .map(|path| {
            let name = path
                .file_stem()
                .map(|stem| stem.to_string_lossy().into_owned())
                .unwrap_or_default();
            (name, common::report_of(path))
        })
        .collect();
    pages.push((
        "large-program".to_string(),
        generated(
            coop::report::html::LARGE_PROGRAM_ORDERS + 500,
            &directory.join("large-program"),
        ),
    ));
    // Two pages at a time: Chromium draws each in a process of its own.
    let queue = Mutex::new(pages);
    let failures = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(|| {
                while let Some((name, report)) = queue.lock().ok().and_then(|mut queue| queue.pop())
                {
                    let found = check_page(&browser, &name, &report, &directory);
                    if let Ok(mut failures) = failures.lock() {
                        failures.extend(found);
                    }
                }
            });
        }
    });
    let mut failures = failures.into_inner().unwrap_or_default();
    failures.sort();
    assert!(
        failures.is_empty(),
        "the HTML report does not read well (screenshots in {}):\n{}",
        directory.display(),
        failures.join("\n")
    );
}

/// Opens one report's page and looks at it in every view: what is wrong with it, if anything.
fn check_page(
    browser: &Browser,
    name: &str,
    report: &coop::report::Report,
    directory: &Path,
) -> Vec<String> {
    let mut failures = Vec::new();
    let page = directory.join(format!("{name}.html"));
    std::fs::write(&page, coop::report::html::render(report)).expect("write the page");
    let tab = browser.new_tab().expect("a tab");
    tab.set_default_timeout(Duration::from_secs(60));
    let console = listen(&tab);
    tab.navigate_to(&format!("file://{}", page.display()))
        .and_then(|tab| tab.wait_until_navigated())
        .expect("the page loads");
    // The page lays out what is off screen only as it comes into view (`content-visibility`);
    // the screenshots show the whole page, so everything is laid out at once here.
    tab.evaluate(
        "const all = document.createElement('style'); \
         all.textContent = '* { content-visibility: visible !important; }'; \
         document.head.append(all);",
        false,
    )
    .expect("the whole page is laid out");
    let dom = tab.get_content().expect("the page's DOM");
    failures.extend(contents(name, report, &dom));
    for view in VIEWS {
        failures.extend(look(&tab, name, view, directory));
    }
    // Last, so that the screenshots show the page as it opens.
    let used = tab
        .evaluate(include_str!("browser/interact.js"), false)
        .expect("the page can be used")
        .value
        .and_then(|value| value.as_str().map(str::to_string))
        .unwrap_or_default();
    if !used.is_empty() {
        failures.push(format!("{name}: sorting and filtering: {used}"));
    }
    for (paper, width, height) in [("a4", 8.27, 11.69), ("letter", 8.5, 11.0)] {
        let pdf = tab
            .print_to_pdf(Some(PrintToPdfOptions {
                paper_width: Some(width),
                paper_height: Some(height),
                ..PrintToPdfOptions::default()
            }))
            .expect("the page prints");
        std::fs::write(directory.join(format!("{name}-{paper}.pdf")), pdf).expect("write");
    }
    let said = console.lock().map(|said| said.clone()).unwrap_or_default();
    if !said.is_empty() {
        failures.push(format!(
            "{name}: the console said:\n  {}",
            said.join("\n  ")
        ));
    }
    let _ = tab.close(false);
    failures
}

/// Everything the console says, and every uncaught error.
fn listen(tab: &Arc<Tab>) -> Arc<Mutex<Vec<String>>> {
    let said = Arc::new(Mutex::new(Vec::new()));
    let heard = Arc::clone(&said);
    tab.enable_log()
        .and_then(|tab| tab.enable_runtime())
        .expect("the console can be heard");
    tab.add_event_listener(Arc::new(move |event: &Event| {
        let line = match event {
            Event::LogEntryAdded(entry) => Some(format!("{:?}", entry.params.entry)),
            Event::RuntimeConsoleAPICalled(call) => Some(format!("{:?}", call.params)),
            Event::RuntimeExceptionThrown(thrown) => Some(format!("{:?}", thrown.params)),
            _ => None,
        };
        if let (Some(line), Ok(mut said)) = (line, heard.lock()) {
            said.push(line);
        }
    }))
    .expect("a listener");
    said
}

/// The page has its sections, a chart of each kind for each contract it shows in full, every
/// order it lists (every one, or in a large program every denied one), and every reason an order
/// is denied and every finding, by code.
fn contents(name: &str, report: &coop::report::Report, dom: &str) -> Vec<String> {
    use coop::report::html::{LARGE_PROGRAM_CONTRACT_DETAILS, LARGE_PROGRAM_ORDERS};
    let large = report.orders.len() > LARGE_PROGRAM_ORDERS;
    let mut missing = Vec::new();
    for section in SECTIONS {
        if !dom.contains(&format!("id=\"{section}\"")) {
            missing.push(format!("{name}: no `{section}` section"));
        }
    }
    if !report.frameworks.is_empty() && !dom.contains("id=\"frameworks\"") {
        missing.push(format!("{name}: no `frameworks` section"));
    }
    if !report.waivers.is_empty() && !dom.contains("id=\"waivers\"") {
        missing.push(format!("{name}: no `waivers` section"));
    }
    let shown = if large {
        LARGE_PROGRAM_CONTRACT_DETAILS
    } else {
        report.contracts.len()
    };
    for contract in report.contracts.iter().take(shown) {
        for chart in ["use", "time"] {
            if !dom.contains(&format!("id=\"{chart}-{}-title\"", contract.name)) {
                missing.push(format!("{name}: no {chart} chart for {}", contract.name));
            }
        }
    }
    for order in report
        .orders
        .iter()
        .filter(|order| !large || order.decision == coop::report::Decision::Denied)
    {
        if !dom.contains(&format!("id=\"order-{}\"", order.name)) {
            missing.push(format!("{name}: order {} missing", order.name));
        }
        for reason in &order.reasons {
            if !dom.contains(reason.code.name()) {
                missing.push(format!(
                    "{name}: reason {} of {}",
                    reason.code.name(),
                    order.name
                ));
            }
        }
    }
    for finding in &report.findings {
        if !dom.contains(finding.code.name()) {
            missing.push(format!("{name}: finding {} missing", finding.code.name()));
        }
    }
    missing
}

/// What the page measures in one view, with its screenshot written out.
fn look(tab: &Arc<Tab>, name: &str, view: &View, directory: &Path) -> Vec<String> {
    tab.call_method(Emulation::SetDeviceMetricsOverride {
        width: view.width,
        height: 900,
        device_scale_factor: 1.0,
        mobile: false,
        scale: None,
        screen_width: None,
        screen_height: None,
        position_x: None,
        position_y: None,
        dont_set_visible_size: None,
        screen_orientation: None,
        viewport: None,
        display_feature: None,
        device_posture: None,
    })
    .expect("the width is set");
    tab.call_method(Emulation::SetEmulatedMedia {
        media: Some(if view.print { "print" } else { "screen" }.to_string()),
        features: None,
    })
    .expect("the medium is set");
    screenshot(tab, &directory.join(format!("{name}-{}.jpeg", view.name)));
    // The author's details are measured open; in print they are not shown.
    tab.evaluate(
        "document.querySelectorAll('details').forEach((details) => { details.open = true; })",
        false,
    )
    .expect("details open");
    let measured = tab
        .evaluate(include_str!("browser/measure.js"), false)
        .expect("the page measures itself")
        .value
        .and_then(|value| value.as_str().map(str::to_string))
        .unwrap_or_default();
    let measured: serde_json::Value =
        serde_json::from_str(&measured).expect("the measurements are JSON");
    tab.evaluate(
        "document.querySelectorAll('details').forEach((details) => { details.open = false; })",
        false,
    )
    .expect("details close");

    let mut problems = Vec::new();
    let view_name = view.name;
    if measured["width"].as_u64() != Some(u64::from(view.width)) {
        problems.push(format!(
            "{name} at {view_name}: the window is {} wide",
            measured["width"]
        ));
    }
    if measured["overflow"].as_i64().unwrap_or(0) > 0 {
        problems.push(format!(
            "{name} at {view_name}: the page is {}px wider than the window",
            measured["overflow"]
        ));
    }
    for (key, what) in [
        ("wide", "too wide:"),
        ("spilled", "text spills out of"),
        ("broken", "a word is broken in"),
    ] {
        for item in measured[key].as_array().into_iter().flatten().take(10) {
            problems.push(format!(
                "{name} at {view_name}: {what} {}",
                item.as_str().unwrap_or_default()
            ));
        }
    }
    let sections: Vec<&str> = measured["sections"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|section| section.as_str())
        // Only a model with frameworks or waivers has those sections; `contents` checks them.
        .filter(|section| !["frameworks", "waivers"].contains(section))
        .collect();
    if sections != SECTIONS {
        problems.push(format!("{name} at {view_name}: sections {sections:?}"));
    }
    problems
}

/// The whole page, top to bottom, as a JPEG (a PNG of a long page takes seconds to encode).
fn screenshot(tab: &Arc<Tab>, path: &Path) {
    let metrics = tab
        .call_method(Page::GetLayoutMetrics(None))
        .expect("the page's size");
    let size = metrics.css_content_size;
    let jpeg = tab
        .call_method(Page::CaptureScreenshot {
            format: Some(Page::CaptureScreenshotFormatOption::Jpeg),
            quality: Some(80),
            clip: Some(Page::Viewport {
                x: 0.0,
                y: 0.0,
                width: size.width,
                height: size.height,
                scale: 1.0,
            }),
            from_surface: Some(true),
            capture_beyond_viewport: Some(true),
            optimize_for_speed: Some(true),
        })
        .expect("a screenshot");
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(jpeg.data)
        .expect("the screenshot is base64");
    std::fs::write(path, bytes).expect("write the screenshot");
}

/// The report of a program `coop generate` makes with this many orders, written to `directory`.
fn generated(orders: usize, directory: &Path) -> coop::report::Report {
    let settings = coop::generate::Settings::for_orders(orders, 1);
    let format = coop::generate::OrderFormat::Coop;
    let program = coop::generate::generate(settings, format);
    std::fs::create_dir_all(directory).expect("the program's directory");
    std::fs::write(directory.join("model.coop"), &program.model).expect("write the model");
    std::fs::write(
        directory.join(coop::generate::orders_file_name(format)),
        &program.orders,
    )
    .expect("write the orders");
    let mut sources = coop::load::load(&[directory.to_path_buf()]).expect("the program loads");
    let (model, _) = coop::check_sources(&mut sources);
    let model = model.expect("a generated program checks");
    let as_of = coop::values::Date::parse_from_str(coop::generate::AS_OF, "%Y-%m-%d")
        .expect("the generator's date");
    let evaluation = coop::eval::evaluate(&model, as_of);
    coop::report::build(
        &model,
        &evaluation,
        &sources,
        &[],
        coop::report::DEFAULT_HORIZON_DAYS,
    )
}

fn examples() -> Vec<PathBuf> {
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
    paths
}

/// Headless Chromium with a fresh profile, loading nothing from the network.
fn launch(chromium: PathBuf, profile: &Path) -> Browser {
    Browser::new(LaunchOptions {
        path: Some(chromium),
        headless: true,
        sandbox: false,
        user_data_dir: Some(profile.to_path_buf()),
        idle_browser_timeout: Duration::from_secs(300),
        window_size: Some((1280, 900)),
        args: [
            "--disable-gpu",
            "--disable-quic",
            "--disable-component-update",
            "--hide-scrollbars",
        ]
        .iter()
        .map(OsStr::new)
        .collect(),
        ..LaunchOptions::default()
    })
    .expect("Chromium starts")
}

/// Chromium to test `what` with; without one, `None` after saying so, and a failure on CI.
fn chromium_to_test(what: &str) -> Option<PathBuf> {
    let found = chromium();
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have Chromium to test {what}: .ci/run installs Debian's `chromium`"
        );
        eprintln!("skipped: no Chromium here (apt-get install chromium)");
    }
    found
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

/// How long Chromium takes to show a report page: from navigation to the first content painted,
/// and to the load event (the page parsed and its script run), with the page's size; and the
/// processor time the page's main thread spent (parsing, style, layout, script), which a busy
/// machine does not inflate. A measurement, not a test (no test asserts a time): `scripts/measure-html.sh` runs
/// it on a generated program's report, named by `COOP_MEASURE_PAGE`, and docs/performance.md
/// records what it printed.
#[test]
#[ignore = "a measurement: scripts/measure-html.sh runs it"]
fn time_to_show_a_report_page() {
    let page = PathBuf::from(
        std::env::var_os("COOP_MEASURE_PAGE").expect("COOP_MEASURE_PAGE names the page"),
    );
    let page = page.canonicalize().expect("the page exists");
    let chromium = chromium().expect("Chromium");
    let directory = Path::new(env!("CARGO_TARGET_TMPDIR")).join("measure");
    let _ = std::fs::remove_dir_all(&directory);
    let browser = launch(chromium, &directory.join("profile"));
    let bytes = std::fs::metadata(&page).expect("the page").len();
    for run in 1..=3 {
        let tab = browser.new_tab().expect("a tab");
        tab.set_default_timeout(Duration::from_secs(300));
        tab.call_method(Performance::Enable {
            time_domain: Some(Performance::EnableTime_domainOption::ThreadTicks),
        })
        .expect("the page's metrics");
        tab.navigate_to(&format!("file://{}", page.display()))
            .and_then(|tab| tab.wait_until_navigated())
            .expect("the page loads");
        let timing = tab
            .evaluate(
                "new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(() => {
                   const navigation = performance.getEntriesByType('navigation')[0];
                   const paint = performance.getEntriesByName('first-contentful-paint')[0];
                   done(JSON.stringify({ loaded: navigation.loadEventEnd, painted: paint ? paint.startTime : null }));
                 })))",
                true,
            )
            .expect("the page times itself")
            .value
            .and_then(|value| value.as_str().map(str::to_string))
            .unwrap_or_default();
        let timing: serde_json::Value = serde_json::from_str(&timing).expect("JSON");
        let metrics = tab
            .call_method(Performance::GetMetrics(None))
            .expect("the page's metrics")
            .metrics;
        let seconds = |name: &str| {
            metrics
                .iter()
                .find(|metric| metric.name == name)
                .map_or(0.0, |metric| metric.value * 1000.0)
        };
        println!(
            "run {run}: {:.1} MB; first content painted at {:.0} ms, loaded (parsed, script run) \
             at {:.0} ms; main thread busy {:.0} ms (style {:.0}, layout {:.0}, script {:.0})",
            bytes as f64 / 1e6,
            timing["painted"].as_f64().unwrap_or_default(),
            timing["loaded"].as_f64().unwrap_or_default(),
            seconds("TaskDuration"),
            seconds("RecalcStyleDuration"),
            seconds("LayoutDuration"),
            seconds("ScriptDuration"),
        );
        let _ = tab.close(false);
    }
}

/// Every shipped pack's page (`coop rules PACK --format html`) loads in headless Chromium with no
/// console message, and shows each rule in its own section with what it quotes, or why it quotes
/// nothing, and the rule as written: the page a reviewer reads beside the statute.
#[test]
fn pack_pages_render_in_a_browser() {
    let Some(chromium) = chromium_to_test("the pack pages") else {
        return;
    };
    let directory = Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser-packs");
    let _ = std::fs::remove_dir_all(&directory);
    std::fs::create_dir_all(&directory).expect("scratch directory");
    let browser = launch(chromium, &directory.join("profile"));
    for pack in coop::packs::SHIPPED {
        let literate = coop::literate::LiteratePack::read(pack.name, pack.text)
            .unwrap_or_else(|| panic!("rules/{}.coop does not parse", pack.name));
        let page = directory.join(format!("{}.html", pack.name));
        std::fs::write(&page, coop::literate::html(&literate)).expect("write the page");
        let tab = browser.new_tab().expect("a tab");
        tab.set_default_timeout(Duration::from_secs(60));
        let console = listen(&tab);
        tab.navigate_to(&format!("file://{}", page.display()))
            .and_then(|tab| tab.wait_until_navigated())
            .expect("the page loads");
        let dom = tab.get_content().expect("the page's DOM");
        let said = console.lock().map(|said| said.clone()).unwrap_or_default();
        assert!(
            said.is_empty(),
            "{}: the browser console said:\n  {}",
            pack.name,
            said.join("\n  ")
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
        let _ = tab.close(false);
    }
}
