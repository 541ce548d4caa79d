//! Thin entry point: everything lives in the library so tests can link it.

fn main() -> std::process::ExitCode {
    warroom::cli::main()
}
