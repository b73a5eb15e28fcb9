//! Pieces the example programs share: their exit statuses, the inputs and reader options of the command
//! line (checked before anything is read), output that survives a closed pipe and never passes terminal
//! control characters through, and a progress bar.
#![allow(dead_code, reason = "each example uses its part of this module")]

use std::borrow::Cow;
use std::fmt::{Display, Write as _};
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use chrono::NaiveDate;
use clap::builder::RangedU64ValueParser;
use clap::error::ErrorKind;
use clap::{Args, Parser};
use cloudtrail_reader::{LayoutFilter, Progress, ReadError, ReaderOptions, S3Options, Source};
use indicatif::{ProgressBar, ProgressStyle};

/// How a run ended, as its exit status. The same three statuses for every example; when several apply,
/// the highest wins (an incomplete answer is not a clean one).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    /// 0: everything was read and the answer to the question asked is "clean".
    Clean,
    /// 1: everything was read and it holds what the program looks for (records that fail `validate`,
    /// `hunt` findings at or above `--fail-on`).
    Found,
    /// 2: a usage error (clap's status for one, too), or an input, rule file or output that could not be
    /// used at all: the answer is missing or incomplete.
    Trouble,
}

impl From<Status> for ExitCode {
    fn from(status: Status) -> ExitCode {
        ExitCode::from(status as u8)
    }
}

/// The `--help` paragraph on exit statuses: `clean` says when this program exits 0, `found` when 1.
pub fn exit_status_help(clean: &str, found: &str) -> String {
    format!(
        "Exit status: 0 {clean}; 1 {found}; 2 on a usage error or when an input (a path, a bucket) could \
         not be read at all. Errors inside inputs are reported on stderr with their location and counted. \
         A closed standard output (`| head`) ends the program quietly with status 0."
    )
}

/// Parses the command line and runs `check` on it: a refusal is reported as clap reports its own usage
/// errors (the message, the usage line, status 2).
pub fn parse_checked<P: Parser>(check: impl FnOnce(&P) -> Result<(), String>) -> P {
    let args = P::parse();
    if let Err(message) = check(&args) {
        P::command()
            .error(ErrorKind::ValueValidation, message)
            .exit();
    }
    args
}

/// The inputs and how to read them.
#[derive(Args, Debug)]
pub struct InputArgs {
    /// Worker threads [default: one per core].
    #[arg(long, value_parser = RangedU64ValueParser::<usize>::new().range(1..=4096))]
    pub threads: Option<usize>,
    /// Only read logs of this account, a 12-digit id (repeatable; directory trees and S3 prefixes in
    /// CloudTrail's layout).
    #[arg(long = "account", value_parser = account_id)]
    pub accounts: Vec<String>,
    /// Only read logs of this region, such as us-east-1 (repeatable).
    #[arg(long = "region", value_parser = region_name)]
    pub regions: Vec<String>,
    /// Only read logs delivered on or after this date (YYYY-MM-DD, the date in the layout's path).
    #[arg(long)]
    pub from: Option<NaiveDate>,
    /// Only read logs delivered on or before this date (YYYY-MM-DD).
    #[arg(long)]
    pub to: Option<NaiveDate>,
    /// The S3 endpoint for s3:// paths, such as http://127.0.0.1:5000 for an S3-compatible server
    /// (plain HTTP allowed) [default: AWS_ENDPOINT_URL, else AWS's endpoint for the region].
    #[arg(long, value_name = "URL", value_parser = endpoint_url)]
    pub s3_endpoint: Option<String>,
}

/// An `http://` or `https://` URL.
pub fn endpoint_url(text: &str) -> Result<String, String> {
    match text.split_once("://") {
        Some(("http" | "https", rest)) if !rest.is_empty() => Ok(text.to_owned()),
        _ => Err(
            "an endpoint is an http:// or https:// URL, such as http://127.0.0.1:5000".to_owned(),
        ),
    }
}

/// A 12-digit AWS account id.
pub fn account_id(text: &str) -> Result<String, String> {
    if text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit()) {
        Ok(text.to_owned())
    } else {
        Err("an account id is 12 digits, such as 111122223333".to_owned())
    }
}

/// A region name: lowercase letters, digits and dashes, such as `eu-west-1`.
pub fn region_name(text: &str) -> Result<String, String> {
    if !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        Ok(text.to_owned())
    } else {
        Err("a region is lowercase letters, digits and dashes, such as eu-west-1".to_owned())
    }
}

impl InputArgs {
    /// Refuses combinations no single flag can: a date range that ends before it starts.
    pub fn check(&self) -> Result<(), String> {
        if let (Some(from), Some(to)) = (self.from, self.to)
            && from > to
        {
            return Err(format!(
                "--from {from} is after --to {to}: no delivery date is in that range"
            ));
        }
        Ok(())
    }

    /// Reader options for these arguments, with a progress bar on stderr when it is a terminal.
    pub fn options(&self) -> (ReaderOptions, Option<ProgressBar>) {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new(0);
            bar.set_style(
                ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {msg} ({eta})")
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            bar
        });
        let hook = bar.clone().map(|bar| {
            // Workers report after each input, and their reports can arrive out of order: keep the
            // highest count seen, so the bar never goes backwards.
            let shown = Mutex::new(0u64);
            Arc::new(move |progress: &Progress| {
                if let Some(total) = progress.bytes_total {
                    bar.set_length(total);
                }
                let mut shown = shown
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner());
                if progress.bytes_done > *shown {
                    *shown = progress.bytes_done;
                    bar.set_position(progress.bytes_done);
                    bar.set_message(format!("{} records", progress.records_done));
                }
            }) as cloudtrail_reader::ProgressHook
        });
        let mut options = ReaderOptions::default()
            .with_threads(self.threads.unwrap_or(0))
            .with_filter(
                LayoutFilter::default()
                    .with_accounts(self.accounts.iter().cloned())
                    .with_regions(self.regions.iter().cloned())
                    .with_from(self.from)
                    .with_to(self.to),
            )
            .with_s3(S3Options::default().with_endpoint_opt(self.s3_endpoint.clone()));
        if let Some(hook) = hook {
            options = options.with_progress(hook);
        }
        (options, bar)
    }
}

/// What the PATH arguments may be, for their `--help`.
pub const PATHS_HELP: &str = "Files, directories, `-` for stdin, or s3://bucket/prefix (built with \
    `--features s3`). A directory holding an AWSLogs folder (a copy of a trail's bucket, a generated \
    tree) is read from AWSLogs only";

/// The sources the command line names, and the names the reader gives them in its errors.
#[derive(Debug)]
pub struct Inputs {
    /// What to read.
    pub sources: Vec<Source>,
    names: Vec<String>,
}

impl Inputs {
    /// Turns PATH arguments into sources, or says why one cannot be read by this build.
    ///
    /// A directory that holds an `AWSLogs` folder is read from `AWSLogs` only: CloudTrail delivers
    /// under `AWSLogs/`, and what sits beside it (the generator's `ground_truth.jsonl`, notes, other
    /// services' exports) is not CloudTrail and would only be reported as bad records. A note on stderr
    /// says how many entries beside it are left out.
    pub fn parse(paths: &[String]) -> Result<Inputs, String> {
        let mut inputs = Inputs {
            sources: Vec::new(),
            names: Vec::new(),
        };
        for path in paths {
            let source = Source::from_arg(path);
            let name = match &source {
                Source::S3(url) => {
                    if !cfg!(feature = "s3") {
                        return Err(format!(
                            "{url}: this build reads no S3; build the example with `--features s3`, such as \
                             `cargo run --release --features s3 --example hunt -- {url}`"
                        ));
                    }
                    url.clone()
                }
                Source::Path(path) => {
                    let path = logs_folder(path);
                    let name = path.display().to_string();
                    inputs.sources.push(Source::Path(path));
                    inputs.names.push(name);
                    continue;
                }
                _ => path.clone(),
            };
            inputs.sources.push(source);
            inputs.names.push(name);
        }
        Ok(inputs)
    }

    /// [`Inputs::parse`], the refusal reported as `program: message` with status 2.
    pub fn parse_or_refuse(program: &str, paths: &[String]) -> Result<Inputs, ExitCode> {
        Inputs::parse(paths).map_err(|message| {
            note(format_args!("{program}: {message}"));
            Status::Trouble.into()
        })
    }

    /// Whether the error says that one of the named inputs could not be read at all (a missing path, a
    /// bucket that cannot be listed), rather than something inside it.
    pub fn unreadable(&self, error: &ReadError) -> bool {
        matches!(error, ReadError::Io { input, .. } if self.names.contains(input))
    }

    /// What every example does with a read error: marks `unreadable` when a named input could not be read
    /// at all, and prints the error on stderr above the progress bar.
    pub fn report(&self, error: &ReadError, unreadable: &AtomicBool, bar: Option<&ProgressBar>) {
        if self.unreadable(error) {
            unreadable.store(true, Ordering::Relaxed);
        }
        above_bar(bar, || note(format_args!("error: {error}")));
    }
}

/// `dir/AWSLogs` when `dir` holds one, else `dir`.
fn logs_folder(path: &Path) -> PathBuf {
    let logs = path.join("AWSLogs");
    if path.file_name().is_some_and(|name| name == "AWSLogs") || !logs.is_dir() {
        return path.to_owned();
    }
    let beside = std::fs::read_dir(path)
        .map(|entries| {
            entries
                .filter(|e| e.as_ref().is_ok_and(|e| e.file_name() != "AWSLogs"))
                .count()
        })
        .unwrap_or(0);
    if beside > 0 {
        note(format_args!(
            "note: {}: reading {} only; the {beside} other entr{} beside it {} not CloudTrail logs",
            path.display(),
            logs.display(),
            if beside == 1 { "y" } else { "ies" },
            if beside == 1 { "is" } else { "are" },
        ));
    }
    logs
}

/// Command-line paths as sources (`-` is stdin), unchecked.
pub fn sources(paths: &[String]) -> Vec<Source> {
    paths.iter().map(|path| Source::from_arg(path)).collect()
}

/// Runs `print` with the progress bar, when there is one, hidden, so the output lands above it.
pub fn above_bar(bar: Option<&ProgressBar>, print: impl FnOnce()) {
    match bar {
        Some(bar) => bar.suspend(print),
        None => print(),
    }
}

/// `text` with every control character (C0, DEL, C1, and the bidirectional embeddings, overrides and
/// isolates) written as a `\u{..}` escape: a value from a record (a user agent, a user name, an event
/// name: attacker-chosen) cannot move the cursor, recolour or retitle the analyst's terminal, or reorder
/// what it shows. Every human format of every example goes through it; JSON output escapes them itself.
pub fn printable(text: &str) -> Cow<'_, str> {
    fn unsafe_char(c: char) -> bool {
        c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
    }
    if !text.chars().any(unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut escaped = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if unsafe_char(c) {
            let _ = write!(escaped, "\\u{{{:x}}}", u32::from(c));
        } else {
            escaped.push(c);
        }
    }
    Cow::Owned(escaped)
}

/// Standard output, a line at a time, each line through [`printable`].
pub struct Out {
    out: io::StdoutLock<'static>,
}

impl Out {
    /// Locks standard output.
    pub fn lock() -> Out {
        Out {
            out: io::stdout().lock(),
        }
    }

    /// Writes one line (a line, not a text with newlines: those are escaped too).
    pub fn line(&mut self, line: impl Display) {
        let line = line.to_string();
        if let Err(error) = writeln!(self.out, "{}", printable(&line)) {
            output_failed(&error);
        }
    }

    /// Writes out what is buffered.
    pub fn flush(&mut self) {
        if let Err(error) = self.out.flush() {
            output_failed(&error);
        }
    }
}

/// Writes one line to standard output through [`printable`]. A closed standard output (`| head`) ends
/// the program at once and quietly, with status 0; another write error ends it with status 2.
pub fn print(line: impl Display) {
    let mut out = Out::lock();
    out.line(line);
    out.flush();
}

/// Ends the program after standard output failed: quietly with status 0 when the reader went away (a
/// broken pipe: nothing more can be said to it), else with the error and status 2.
pub fn output_failed(error: &io::Error) -> ! {
    if error.kind() == io::ErrorKind::BrokenPipe {
        std::process::exit(0);
    }
    note(format_args!("error: cannot write the output: {error}"));
    std::process::exit(Status::Trouble as i32);
}

/// Writes one line to standard error through [`printable`] (messages and errors name inputs, keys and
/// values from records). A failing standard error is ignored: there is nowhere left to say so.
pub fn note(line: impl Display) {
    let line = line.to_string();
    let _ = writeln!(io::stderr().lock(), "{}", printable(&line));
}
