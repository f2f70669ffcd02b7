use clap::Parser;

fn main() -> std::process::ExitCode {
    samverkan::cli::run(samverkan::cli::Cli::parse())
}
