//! `report --png` in a real headless Chromium: the screenshot is a PNG of the size asked for, and holds a
//! drawn page (a white page with dark text and the chart's colours), not a blank one.
//!
//! The test needs Chromium (`chromium`, `chromium-browser` or `google-chrome` on PATH; `.ci/chromium.sh`
//! installs Debian's package in CI). Without one it fails, unless `CLOUDTRAIL_SKIP_CHROMIUM=1` says to skip
//! it knowingly: a screenshot test that skips itself quietly in CI proves nothing.

use std::collections::HashSet;
use std::process::Command;

mod support;
use support::{report, scratch};

const NAMES: [&str; 3] = ["chromium", "chromium-browser", "google-chrome"];

fn sample() -> String {
    concat!(env!("CARGO_MANIFEST_DIR"), "/../data").to_owned()
}

/// Whether a Chromium is on PATH; without one, a failure unless skipping was asked for.
fn chromium_or_skip() -> bool {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let found = NAMES
        .iter()
        .any(|name| std::env::split_paths(&path).any(|dir| dir.join(name).is_file()));
    if found {
        return true;
    }
    if std::env::var("CLOUDTRAIL_SKIP_CHROMIUM").as_deref() == Ok("1") {
        eprintln!("skipped: no Chromium on PATH and CLOUDTRAIL_SKIP_CHROMIUM=1");
        return false;
    }
    panic!(
        "no Chromium on PATH ({}): install one (apt install chromium, or .ci/chromium.sh as root), or set \
         CLOUDTRAIL_SKIP_CHROMIUM=1 to skip this test knowingly",
        NAMES.join(", ")
    );
}

#[test]
fn screenshot_is_a_drawn_page_of_the_size_asked() {
    if !chromium_or_skip() {
        return;
    }
    let dir = scratch("png-drawn");
    let html = dir.join("report.html");
    let png = dir.join("report.png");
    let out = report(&[
        &sample(),
        "-o",
        html.to_str().unwrap(),
        "--png",
        png.to_str().unwrap(),
        "--png-size",
        "900x1300",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("the page logged"), "{stderr}");
    let bytes = std::fs::read(&png).unwrap();
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "PNG signature");
    assert_eq!(&bytes[12..16], b"IHDR");
    let width = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
    let height = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
    assert_eq!((width, height), (900, 1300));

    let decoder = png::Decoder::new(std::io::Cursor::new(&bytes));
    let mut reader = decoder.read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
    let frame = reader.next_frame(&mut pixels).unwrap();
    let channels = frame.color_type.samples();
    assert!(channels >= 3, "{:?}", frame.color_type);
    let pixels = &pixels[..frame.buffer_size()];
    let rgb: Vec<[u8; 3]> = pixels
        .chunks_exact(channels)
        .map(|p| [p[0], p[1], p[2]])
        .collect();
    let white = rgb.iter().filter(|p| **p == [255, 255, 255]).count();
    let dark = rgb.iter().filter(|p| p.iter().all(|&c| c < 80)).count();
    let colours: HashSet<[u8; 3]> = rgb.iter().copied().collect();
    let total = rgb.len();
    // Mostly white page, with text on it, in more colours than a blank or one-colour image has.
    assert!(white > total / 2, "white {white} of {total}");
    assert!(dark > total / 500, "dark (text) {dark} of {total}");
    assert!(colours.len() > 50, "{} colours", colours.len());
    // The timeline's bars (#90caf9) and a high-severity mark (#c62828) are drawn.
    let near = |p: &[u8; 3], c: [u8; 3]| p.iter().zip(c).all(|(&a, b)| a.abs_diff(b) < 12);
    assert!(
        rgb.iter().any(|p| near(p, [0x90, 0xca, 0xf9])),
        "no timeline bar"
    );
    assert!(
        rgb.iter().any(|p| near(p, [0xc6, 0x28, 0x28])),
        "no high-severity mark"
    );
}

/// A record whose values are markup (a script, an image with an error handler), rendered into the
/// report and the page drawn: the browser's console stays empty, so no value reached the page as markup
/// (the page's Content-Security-Policy would have blocked a script or image and said so), and a page
/// that does log is seen to (the check is not blind).
#[test]
fn hostile_values_draw_no_console_message() {
    if !chromium_or_skip() {
        return;
    }
    let dir = scratch("png-hostile");
    let record = serde_json::json!({
        "eventVersion": "1.11", "eventTime": "2024-05-01T10:00:00Z",
        "eventSource": "iam.amazonaws.com", "eventName": "CreateUser", "eventID": "e-1",
        "awsRegion": "us-east-1", "sourceIPAddress": "<script>console.error(2)</script>",
        "userAgent": "<img src=http://192.0.2.1/x.png onerror=console.error(1)>",
        "userIdentity": {"type": "IAMUser", "accountId": "111122223333",
            "arn": "arn:aws:iam::111122223333:user/<script>console.error(3)</script>"},
    });
    let input = dir.join("hostile.jsonl");
    std::fs::write(&input, format!("{record}\n")).unwrap();
    let html = dir.join("report.html");
    let png = dir.join("report.png");
    let out = report(&[
        input.to_str().unwrap(),
        "-o",
        html.to_str().unwrap(),
        "--png",
        png.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("the page logged"), "{stderr}");

    // The same markup put into the page unescaped is blocked by the policy, and that is reported.
    let page = std::fs::read_to_string(&html).unwrap();
    let broken = page.replacen("<h1>", "<script>console.error(4)</script><h1>", 1);
    let chromium = NAMES
        .iter()
        .find_map(|name| {
            std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
                .map(|dir| dir.join(name))
                .find(|path| path.is_file())
        })
        .unwrap();
    let broken_html = dir.join("broken.html");
    std::fs::write(&broken_html, broken).unwrap();
    let logged = Command::new(&chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--enable-logging=stderr",
            "--v=0",
            "--window-size=400,300",
        ])
        .arg(format!("--user-data-dir={}", dir.join("profile").display()))
        .arg(format!("--screenshot={}", dir.join("broken.png").display()))
        .arg(format!("file://{}", broken_html.display()))
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&logged.stderr);
    assert!(
        said.contains(":CONSOLE") && said.contains("Content Security Policy"),
        "{said}"
    );
}

#[test]
fn a_missing_browser_is_a_clear_error_before_any_reading() {
    let dir = scratch("png-missing");
    let html = dir.join("report.html");
    let out = report(&[
        &sample(),
        "-o",
        html.to_str().unwrap(),
        "--png",
        dir.join("report.png").to_str().unwrap(),
        "--chromium",
        dir.join("no-such-browser").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("no-such-browser: no such file"), "{stderr}");
    assert!(
        !html.exists(),
        "nothing is read or written when the browser is missing"
    );
}
