//! A real editor: Debian's Neovim, headless, with its built-in LSP client, opens a model file and
//! receives the diagnostics `coop lsp` publishes. Skipped where Neovim is not installed, except
//! on CI (the `CI` variable set), where a missing Neovim fails the test: `.ci/run` installs it.

mod common;

use std::process::Command;

#[test]
fn neovim_receives_the_diagnostics() {
    let installed = Command::new("nvim")
        .arg("--version")
        .output()
        .is_ok_and(|output| output.status.success());
    if !installed {
        assert!(
            std::env::var_os("CI").is_none(),
            "nvim is not installed; .ci/run installs Debian's neovim"
        );
        eprintln!("skipped: nvim is not installed (apt-get install neovim)");
        return;
    }
    let directory = common::scratch("neovim-model");
    let cache = common::scratch("neovim-cache");
    let file = directory.join("model.coop");
    std::fs::write(
        &file,
        "agency everett \"City of Everett\" {\n  kind city\n  jurisdiction US-WA\n}\n\n\
         agency mukilteo \"City of Mukilteo\" {\n  kind citty\n  jurisdiction US-WA\n}\n",
    )
    .expect("write");
    let output = directory.join("diagnostics.json");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/neovim/diagnostics.lua");
    let run = Command::new("nvim")
        .args(["--headless", "--clean", "-n", "-u", "NONE", "-c"])
        .arg(format!("luafile {script}"))
        .env("COOP_FILE", &file)
        .env("COOP_OUTPUT", &output)
        .env("COOP_BINARY", env!("CARGO_BIN_EXE_coop"))
        .env("XDG_CACHE_HOME", &cache)
        .env("XDG_STATE_HOME", &cache)
        .env("XDG_DATA_HOME", &cache)
        .stdin(std::process::Stdio::null())
        .output()
        .expect("nvim runs");
    let written = std::fs::read_to_string(&output).unwrap_or_else(|_| {
        panic!(
            "nvim wrote no diagnostics ({}):\n{}\n{}",
            run.status,
            common::stdout(&run),
            common::stderr(&run)
        )
    });
    let received: serde_json::Value = serde_json::from_str(&written).expect("JSON");
    assert_eq!(received["received"], true, "{received}");
    let diagnostics = received["diagnostics"].as_array().expect("a list");
    assert_eq!(diagnostics.len(), 1, "{received}");
    let diagnostic = &diagnostics[0];
    assert_eq!(diagnostic["code"], "unknown-value", "{received}");
    assert_eq!(diagnostic["source"], "coop");
    assert_eq!(diagnostic["line"], 6);
    assert_eq!(diagnostic["column"], 7);
    // vim.diagnostic.severity.ERROR
    assert_eq!(diagnostic["severity"], 1);
    let message = diagnostic["message"].as_str().expect("a message");
    assert!(
        message.starts_with("`citty` is not an agency kind"),
        "{message}"
    );
    assert!(message.contains("help: did you mean `city`?"), "{message}");
}
