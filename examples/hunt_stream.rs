//! How `hunt` correlates in bounded memory: the reader's workers match records and hand their matches, a
//! batch at a time, through a bounded channel to one correlator thread, which turns them into findings as
//! event time advances. Directory trees are read in the time order of their CloudTrail file names, and
//! the correlator thread puts the workers' matches back in that order (input by input, as
//! `Reader::fold_inputs` says each is done) before they reach the correlator: the correlator sees the
//! same sequence of matches whatever the number of threads, so the findings and the late count do not
//! depend on it (with several workers, a worker on a later file would otherwise push event time ahead of
//! an earlier file still being read, by hours on a sparse tree). Memory follows the matches of one
//! lateness period (at most `cloudtrail_detect::MAX_PENDING` of them), the matches held back for order
//! (at most [`HELD_FOR_ORDER`]) and the findings, never the number of matches.
#![allow(dead_code, reason = "each example uses its part of this module")]

use std::collections::BTreeMap;
use std::error::Error;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use cloudtrail_detect::{Correlator, Finding, Match, RuleSet, Saved};
use cloudtrail_model::Event;
use cloudtrail_reader::{LayoutFilter, ReadError, Reader, Source, Stats};

/// How many matches a worker gathers before handing them over (and at the end of each input).
const BATCH: usize = 256;
/// How many batches may wait for the correlator before the workers wait.
const BATCHES_IN_FLIGHT: usize = 16;
/// The most matches of later inputs held back while an earlier input is still being read. Past it the
/// earliest held input's matches go to the correlator at once, out of order (its lateness may then count
/// some late): this happens only when one input holds more matches than this while the other workers
/// read past it.
pub const HELD_FOR_ORDER: usize = 32_768;

/// What the correlator produced, and what it could not place.
#[derive(Debug, Default)]
pub struct Correlated {
    /// The findings, in the order they completed.
    pub findings: Vec<Finding>,
    /// Matches that arrived after a later record had been processed (further out of order than the
    /// lateness).
    pub late: u64,
    /// Correlation groups dropped to keep state bounded.
    pub evicted: u64,
    /// Matches processed early because the correlator's buffer was full.
    pub overflowed: u64,
    /// With a state file: what was saved to it (open groups and waiting matches carried over).
    pub saved: Option<Saved>,
    /// With a state file: the findings still open at the end, as they stand (the state saved keeps them
    /// open, and the run that closes them reports them again).
    pub open: Vec<Finding>,
}

/// Matches of one input handed to the correlator thread; `done` on the input's last piece.
struct Piece {
    input: usize,
    matches: Vec<Match>,
    done: bool,
}

/// One worker's matches not yet handed over, and its own state beside them.
struct Batch<S> {
    matches: Vec<Match>,
    input: usize,
    send: SyncSender<Piece>,
    state: S,
}

impl<S> Batch<S> {
    fn flush(&mut self, done: bool) {
        if done || !self.matches.is_empty() {
            let piece = Piece {
                input: self.input,
                matches: std::mem::take(&mut self.matches),
                done,
            };
            // A send fails only when the correlator thread has stopped; its result says why.
            let _ = self.send.send(piece);
        }
    }
}

/// The workers' pieces put back in input order: an input's matches go on once every earlier input is
/// done; later inputs' matches wait (at most [`HELD_FOR_ORDER`]).
#[derive(Default)]
struct Reorder {
    /// The first input not yet done.
    next: usize,
    /// Later inputs (and `next` itself when it was forced out early): matches held, and done.
    held: BTreeMap<usize, (Vec<Match>, bool)>,
    /// Matches in `held`.
    count: usize,
}

impl Reorder {
    /// Takes a piece, handing every match that may go on to `emit`, in order.
    fn take(
        &mut self,
        piece: Piece,
        emit: &mut impl FnMut(Match) -> Result<(), Box<dyn Error + Send + Sync>>,
    ) -> Result<(), Box<dyn Error + Send + Sync>> {
        if piece.input == self.next && !self.held.contains_key(&piece.input) {
            piece.matches.into_iter().try_for_each(&mut *emit)?;
            if piece.done {
                self.next += 1;
                self.release(emit)?;
            }
        } else {
            self.count += piece.matches.len();
            let entry = self.held.entry(piece.input).or_default();
            entry.0.extend(piece.matches);
            entry.1 |= piece.done;
            if piece.input == self.next {
                self.release(emit)?;
            }
        }
        while self.count > HELD_FOR_ORDER {
            // The earliest held input goes on now; it stays listed (empty) until it is done.
            let Some((matches, _)) = self.held.values_mut().find(|(m, _)| !m.is_empty()) else {
                break;
            };
            let matches = std::mem::take(matches);
            self.count -= matches.len();
            matches.into_iter().try_for_each(&mut *emit)?;
        }
        Ok(())
    }

    /// Hands on `next`'s held matches, and those of the inputs after it while each is done.
    fn release(
        &mut self,
        emit: &mut impl FnMut(Match) -> Result<(), Box<dyn Error + Send + Sync>>,
    ) -> Result<(), Box<dyn Error + Send + Sync>> {
        while let Some((matches, done)) = self.held.get_mut(&self.next) {
            let done = *done;
            let matches = std::mem::take(matches);
            self.count -= matches.len();
            matches.into_iter().try_for_each(&mut *emit)?;
            if !done {
                break;
            }
            self.held.remove(&self.next);
            self.next += 1;
        }
        Ok(())
    }

    /// At the end (every piece taken, or the read stopped early): what is held, in input order.
    fn finish(
        self,
        emit: &mut impl FnMut(Match) -> Result<(), Box<dyn Error + Send + Sync>>,
    ) -> Result<(), Box<dyn Error + Send + Sync>> {
        self.held
            .into_values()
            .flat_map(|(matches, _)| matches)
            .try_for_each(emit)
    }
}

/// Reads `sources`, matches every record against `rules` on the reader's workers and correlates the
/// matches on one thread in `correlator` (new, or loaded from a state). With `keep`, the correlator's
/// state is saved there at the end instead of finishing it.
pub fn hunt<'r>(
    reader: &Reader,
    sources: &[Source],
    rules: &'r RuleSet,
    correlator: Correlator<'r>,
    keep: Option<&Path>,
    on_error: impl Fn(&ReadError) + Sync,
) -> Result<(Correlated, Stats), Box<dyn Error + Send + Sync>> {
    hunt_folding(
        reader,
        sources,
        rules,
        correlator,
        keep,
        || (),
        |_, _| true,
        on_error,
    )
    .map(|(correlated, stats, _)| (correlated, stats))
}

/// [`hunt`], each worker folding the records into a state of its own as well (`init` makes one per
/// worker): `fold` sees every record first and says whether the rules see it. The workers' states come
/// back beside the findings, for the caller to merge.
#[allow(clippy::too_many_arguments)]
pub fn hunt_folding<'r, S: Send>(
    reader: &Reader,
    sources: &[Source],
    rules: &'r RuleSet,
    correlator: Correlator<'r>,
    keep: Option<&Path>,
    init: impl Fn() -> S + Sync,
    fold: impl Fn(&mut S, &Event<'_>) -> bool + Sync,
    on_error: impl Fn(&ReadError) + Sync,
) -> Result<(Correlated, Stats, Vec<S>), Box<dyn Error + Send + Sync>> {
    std::thread::scope(|scope| {
        let (send, receive) = sync_channel::<Piece>(BATCHES_IN_FLIGHT);
        let correlating = scope.spawn(move || correlate(correlator, keep, receive));
        let output = reader.fold_inputs(
            sources,
            || Batch {
                matches: Vec::with_capacity(BATCH),
                input: 0,
                send: send.clone(),
                state: init(),
            },
            |batch, event, info| {
                batch.input = info.input_index;
                if fold(&mut batch.state, event) {
                    rules.matches(event, &mut batch.matches);
                }
                if batch.matches.len() >= BATCH {
                    batch.flush(false);
                }
            },
            |batch, done| {
                batch.input = done.input_index;
                batch.flush(true);
            },
            on_error,
        );
        drop(send);
        // Every input's last piece is sent when it is done; dropping the batches closes the channel.
        let output = output.map(|output| {
            let states: Vec<S> = output.states.into_iter().map(|batch| batch.state).collect();
            (output.stats, states)
        });
        let correlated = correlating
            .join()
            .map_err(|_| "the correlator thread panicked")?;
        let (stats, states) = output?;
        Ok((correlated?, stats, states))
    })
}

fn correlate(
    mut correlator: Correlator<'_>,
    keep: Option<&Path>,
    receive: Receiver<Piece>,
) -> Result<Correlated, Box<dyn Error + Send + Sync>> {
    let mut findings = Vec::new();
    let mut emit = |m: Match| -> Result<(), Box<dyn Error + Send + Sync>> {
        findings.extend(correlator.push(m)?);
        Ok(())
    };
    let mut order = Reorder::default();
    for piece in receive {
        order.take(piece, &mut emit)?;
    }
    order.finish(&mut emit)?;
    let (late, evicted, overflowed) = (
        correlator.late(),
        correlator.evicted(),
        correlator.overflowed(),
    );
    let (saved, open) = match keep {
        Some(path) => {
            let saved = crate::hunt_state::keep(&correlator, path)?;
            // The state is saved: finishing this copy only shows what is open, as it stands.
            (Some(saved), correlator.finish())
        }
        None => {
            findings.extend(correlator.finish());
            (None, Vec::new())
        }
    };
    Ok(Correlated {
        findings,
        late,
        evicted,
        overflowed,
        saved,
        open,
    })
}

/// The sources, with every directory expanded (through `filter`, as the reader
/// would) into its files sorted by the delivery time in their CloudTrail names
/// (`111122223333_CloudTrail_us-east-1_20240501T0624Z_....json.gz`), across accounts and regions. Files
/// without such a time come first in path order; stdin and S3 prefixes follow in the order given. A
/// directory that cannot be listed, and a symbolic link to one, is passed on for the reader to report or
/// follow.
pub fn time_ordered(sources: Vec<Source>, filter: &LayoutFilter) -> Vec<Source> {
    let mut files: Vec<PathBuf> = Vec::new();
    let mut others = Vec::new();
    for source in sources {
        match source {
            Source::Path(path) if path.is_dir() => walk(&path, filter, &mut files, &mut others),
            Source::Path(path) => files.push(path),
            other => others.push(other),
        }
    }
    files.sort_by_cached_key(|path| (delivery_time(path), path.clone()));
    files.dedup();
    files.into_iter().map(Source::Path).chain(others).collect()
}

fn walk(dir: &Path, filter: &LayoutFilter, files: &mut Vec<PathBuf>, others: &mut Vec<Source>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        others.push(Source::Path(dir.to_owned()));
        return;
    };
    for entry in entries {
        let Ok(entry) = entry else {
            others.push(Source::Path(dir.to_owned()));
            return;
        };
        let path = entry.path();
        let text = path.to_string_lossy();
        match entry.file_type() {
            Ok(kind) if kind.is_dir() => {
                if filter.admits_dir(&text) {
                    walk(&path, filter, files, others);
                }
            }
            Ok(kind) if kind.is_symlink() && path.is_dir() => {
                others.push(Source::Path(path));
            }
            _ => {
                if filter.admits_file(&text) {
                    files.push(path);
                }
            }
        }
    }
}

/// The `YYYYMMDDTHHMMZ` part of a CloudTrail log file name, which sorts in time order.
fn delivery_time(path: &Path) -> Option<String> {
    let name = path.file_name()?.to_str()?;
    name.split('_')
        .find(|part| {
            let bytes = part.as_bytes();
            bytes.len() == 14
                && bytes[8] == b'T'
                && bytes[13] == b'Z'
                && bytes[..8]
                    .iter()
                    .chain(&bytes[9..13])
                    .all(u8::is_ascii_digit)
        })
        .map(str::to_owned)
}
