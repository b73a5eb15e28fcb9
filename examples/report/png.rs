//! `--png`: the written report screenshotted by a headless Chromium (the page as a browser draws it,
//! chart and tables together), so that a report can go where HTML cannot (a ticket, a chat, a README).

use std::ffi::OsString;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The names a Chromium goes by on PATH, tried in this order.
pub const NAMES: [&str; 3] = ["chromium", "chromium-browser", "google-chrome"];

/// How long the browser may take to draw the page.
const TIMEOUT: Duration = Duration::from_secs(120);

/// A `WIDTHxHEIGHT` size in CSS pixels, such as `1280x1800`.
pub fn size(text: &str) -> Result<(u32, u32), String> {
    let refuse = || {
        format!("{text:?}: a size is WIDTHxHEIGHT in pixels, such as 1280x1800, each 100 to 10000")
    };
    let (width, height) = text.split_once('x').ok_or_else(refuse)?;
    let parse = |n: &str| {
        n.parse::<u32>()
            .ok()
            .filter(|n| (100..=10_000).contains(n))
            .ok_or_else(refuse)
    };
    Ok((parse(width)?, parse(height)?))
}

/// The browser: `explicit` when given (it must exist), else the first of [`NAMES`] on PATH.
pub fn find_chromium(explicit: Option<&Path>) -> Result<PathBuf, String> {
    if let Some(path) = explicit {
        return if path.is_file() {
            Ok(path.to_owned())
        } else {
            Err(format!("--chromium {}: no such file", path.display()))
        };
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    for name in NAMES {
        for dir in std::env::split_paths(&path) {
            let candidate = dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
            if candidate.is_file() {
                return Ok(candidate);
            }
        }
    }
    Err(format!(
        "--png needs a headless Chromium and none of {} is on PATH: install one (Debian/Ubuntu: \
         apt install chromium) or name it with --chromium PATH",
        NAMES.join(", ")
    ))
}

/// `file://` URL of an absolute path, bytes outside the unreserved set percent-encoded.
fn file_url(path: &Path) -> String {
    let mut url = String::from("file://");
    for byte in path.to_string_lossy().bytes() {
        if byte.is_ascii_alphanumeric() || b"/-._~".contains(&byte) {
            url.push(char::from(byte));
        } else {
            let _ = write!(url, "%{byte:02X}");
        }
    }
    url
}

/// Screenshots the page at `html` into `png`, `width` x `height` pixels. Returns what the page logged to
/// the browser's console (a script blocked by the page's Content-Security-Policy, a resource it refused
/// to load): nothing, for a report whose values are escaped.
pub fn screenshot(
    chromium: &Path,
    html: &Path,
    png: &Path,
    (width, height): (u32, u32),
) -> Result<Vec<String>, String> {
    let html = html
        .canonicalize()
        .map_err(|error| format!("{}: {error}", html.display()))?;
    let png = std::path::absolute(png).map_err(|error| format!("{}: {error}", png.display()))?;
    // A profile of its own, so that runs side by side do not share (or lock) one.
    let profile = std::env::temp_dir().join(format!(
        "report-chromium-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |t| t.as_nanos())
    ));
    let _ = std::fs::remove_file(&png);
    let mut screenshot = OsString::from("--screenshot=");
    screenshot.push(&png);
    let mut user_data = OsString::from("--user-data-dir=");
    user_data.push(&profile);
    let mut child = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--hide-scrollbars",
            "--no-first-run",
            // Console messages to stderr, where they are picked out below.
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(user_data)
        .arg(screenshot)
        .arg(format!("--window-size={width},{height}"))
        .arg(file_url(&html))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|error| format!("cannot start {}: {error}", chromium.display()))?;
    // Stderr is read on a thread of its own, so that a chatty browser cannot fill the pipe and stall.
    let stderr = child.stderr.take();
    let said = std::thread::spawn(move || {
        let mut text = String::new();
        if let Some(mut stderr) = stderr {
            let _ = std::io::Read::read_to_string(&mut stderr, &mut text);
        }
        text
    });
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Ok(status),
            Ok(None) if started.elapsed() > TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                break Err(format!(
                    "{} took more than {} s to draw the page, and was stopped",
                    chromium.display(),
                    TIMEOUT.as_secs()
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(50)),
            Err(error) => break Err(format!("waiting for {}: {error}", chromium.display())),
        }
    };
    let said = said.join().unwrap_or_default();
    let _ = std::fs::remove_dir_all(&profile);
    let status = status?;
    let written = std::fs::metadata(&png).is_ok_and(|m| m.len() > 0);
    if !status.success() || !written {
        let tail: Vec<&str> = said.lines().rev().take(5).collect();
        return Err(format!(
            "{} wrote no screenshot ({status}){}{}",
            chromium.display(),
            if tail.is_empty() { "" } else { ": " },
            tail.into_iter().rev().collect::<Vec<_>>().join(" / ")
        ));
    }
    Ok(said
        .lines()
        .filter_map(|line| line.split_once(":CONSOLE").map(|(_, message)| message))
        .map(|message| {
            let message = message.split_once("] ").map_or(message, |(_, text)| text);
            message.chars().take(300).collect()
        })
        .collect())
}
