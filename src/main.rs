//! The `coop` command: parse the command line, run it, exit with its code.

mod allocator;
mod cli;
mod progress;

use std::process::ExitCode;

use clap::Parser as _;

fn main() -> ExitCode {
    allocator::small_pages();
    allocator::give_back_at_once();
    cli::run(cli::Arguments::parse())
}
