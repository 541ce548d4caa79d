//! A fake Kubernetes API server for scripts and side-by-side comparisons:
//! the test suite's server, seeded with pods and optionally churning.
//!
//!   cargo run --release --example fake_apiserver -- --pods 2000 --churn 10 --namespaces 4
//!
//! Prints the path of the kubeconfig it wrote (context `test`, namespace
//! `shop`), then serves until killed (SIGINT or SIGTERM).

#[path = "../tests/kube_server/mod.rs"]
mod kube_server;

use std::io::Write;

/// The value after `--name`, parsed; the default when absent.
fn arg<T: std::str::FromStr>(args: &[String], name: &str, default: T) -> Result<T, String> {
    match args.iter().position(|a| a == name) {
        None => Ok(default),
        Some(i) => args
            .get(i + 1)
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| format!("{name} needs a number")),
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let parsed = (|| {
        Ok::<_, String>((
            arg(&args, "--pods", 200usize)?,
            arg(&args, "--churn", 0f64)?,
            arg(&args, "--namespaces", 1usize)?,
        ))
    })();
    let (pods, churn, namespaces) = match parsed {
        Ok(p) => p,
        Err(e) => {
            eprintln!(
                "fake_apiserver: {e}\nusage: fake_apiserver [--pods N] [--churn PER_SEC] [--namespaces K]"
            );
            return std::process::ExitCode::from(2);
        }
    };
    let server = kube_server::KubeServer::start().await;
    for i in 0..pods {
        // The kubeconfig's namespace first, then team-1, team-2, ...
        let ns = match i % namespaces.max(1) {
            0 => "shop".to_string(),
            k => format!("team-{k}"),
        };
        let app = format!("svc{}", i % 20);
        let state = if i % 50 == 7 { "crash" } else { "running" };
        let name = format!("{app}-5f7c9d8b6-{i:05}");
        server.put_pod(kube_server::pod(&ns, &name, &app, state, (i % 4) as i64));
    }
    let _churn = (churn > 0.0).then(|| server.churn(churn));
    println!("{}", server.kubeconfig.display());
    let _ = std::io::stdout().flush();
    // Until Ctrl-C or `kill`: either way the kubeconfig's temporary
    // directory is removed on the way out.
    match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(mut term) => {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
        }
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
    std::process::ExitCode::SUCCESS
}
