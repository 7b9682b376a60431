//! Running commands: echo them, fail loudly with the command line, and keep long-running
//! children (server, demo site) tied to xtask's lifetime.

use anyhow::{Context, Result, bail};
use std::{
    io::{BufRead, BufReader},
    process::{Command, ExitStatus, Stdio},
    sync::mpsc,
    time::Duration,
};

/// Run to completion, inheriting stdio; a non-zero exit is an error naming the command.
pub fn run(cmd: &mut Command) -> Result<()> {
    println!("$ {}", describe(cmd));
    let status = cmd
        .status()
        .with_context(|| format!("starting `{}`", describe(cmd)))?;
    if !status.success() {
        bail!("`{}` failed: {status}", describe(cmd));
    }
    Ok(())
}

/// Run and capture stdout (stderr passes through); `None` when the program is missing or fails.
pub fn output(cmd: &mut Command) -> Option<String> {
    let out = cmd.stderr(Stdio::null()).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

pub fn cargo(args: &[&str]) -> Result<()> {
    cargo_with_env(args, &[])
}

pub fn cargo_with_env(args: &[&str], env: &[(&str, &str)]) -> Result<()> {
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.current_dir(crate::root()).args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    run(&mut cmd)
}

fn describe(cmd: &Command) -> String {
    std::iter::once(cmd.get_program())
        .chain(cmd.get_args())
        .map(|s| s.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A background process whose stdout is echoed with a prefix; killed when dropped so a failing
/// xtask never leaves a server behind.
pub struct Child {
    name: &'static str,
    child: std::process::Child,
    lines: mpsc::Receiver<String>,
}

impl Child {
    pub fn spawn(name: &'static str, cmd: &mut Command) -> Result<Child> {
        println!("$ {}", describe(cmd));
        let mut child = cmd
            .stdout(Stdio::piped())
            .spawn()
            .with_context(|| format!("starting {name}"))?;
        let stdout = child.stdout.take().expect("stdout is piped");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                println!("[{name}] {line}");
                let _ = tx.send(line);
            }
        });
        Ok(Child { name, child, lines })
    }

    /// Wait for the `listening on <url>` line every one of our servers prints; returns the URL.
    pub fn wait_for_listening(&mut self) -> Result<String> {
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match self
                .lines
                .recv_timeout(left.min(Duration::from_millis(200)))
            {
                Ok(line) => {
                    if let Some(url) = line.strip_prefix("listening on ") {
                        return Ok(url.trim().to_owned());
                    }
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    if let Some(status) = self.child.try_wait()? {
                        bail!("{} exited before listening: {status}", self.name);
                    }
                    if left.is_zero() {
                        bail!("{} did not start listening within 60 s", self.name);
                    }
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    let status = self.child.wait()?;
                    bail!("{} exited before listening: {status}", self.name);
                }
            }
        }
    }

    pub fn try_wait(&mut self) -> Result<Option<ExitStatus>> {
        Ok(self.child.try_wait()?)
    }
}

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
