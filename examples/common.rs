//! Pieces the example programs share: reader options from the command line and a progress bar.

use std::io::IsTerminal;
use std::sync::Arc;

use chrono::NaiveDate;
use clap::Args;
use cloudtrail_reader::{LayoutFilter, Progress, ReaderOptions, Source};
use indicatif::{ProgressBar, ProgressStyle};

/// The inputs and how to read them.
#[derive(Args, Debug)]
pub struct InputArgs {
    /// Worker threads (default: one per core).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// Only read logs of this account (repeatable; directory trees in the S3 layout).
    #[arg(long = "account")]
    pub accounts: Vec<String>,
    /// Only read logs of this region (repeatable).
    #[arg(long = "region")]
    pub regions: Vec<String>,
    /// Only read logs delivered on or after this date (YYYY-MM-DD).
    #[arg(long)]
    pub from: Option<NaiveDate>,
    /// Only read logs delivered on or before this date (YYYY-MM-DD).
    #[arg(long)]
    pub to: Option<NaiveDate>,
}

impl InputArgs {
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
            Arc::new(move |progress: &Progress| {
                if let Some(total) = progress.bytes_total {
                    bar.set_length(total);
                }
                bar.set_position(progress.bytes_done);
                bar.set_message(format!("{} records", progress.records_done));
            }) as cloudtrail_reader::ProgressHook
        });
        let mut options = ReaderOptions::default()
            .with_threads(self.threads)
            .with_filter(
                LayoutFilter::default()
                    .with_accounts(self.accounts.iter().cloned())
                    .with_regions(self.regions.iter().cloned())
                    .with_from(self.from)
                    .with_to(self.to),
            );
        if let Some(hook) = hook {
            options = options.with_progress(hook);
        }
        (options, bar)
    }
}

/// Command-line paths as sources (`-` is stdin).
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
