//! The `coop` command: parse the command line, run it, exit with its code.

mod cli;
mod progress;

use std::process::ExitCode;

use clap::Parser as _;

fn main() -> ExitCode {
    cli::run(cli::Arguments::parse())
}
