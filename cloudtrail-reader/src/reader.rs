//! [`Reader`]: lists the inputs, then reads them on all cores, handing borrowed records to the caller.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::fs::{self, File};
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use cloudtrail_model::{Event, OwnedEvent};

use crate::decode::{Buffers, DecodeStop, decode};
use crate::error::ReadError;
use crate::format::{Flow, Found, Window, scan};
use crate::options::{ErrorPolicy, Progress, ReaderOptions};
use crate::stats::Stats;

/// Something to read records from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A file, or a directory read recursively (in name order, through the layout filter).
    Path(PathBuf),
    /// Standard input.
    Stdin,
    /// Objects under `s3://bucket/prefix`, filtered by the layout filter on their keys (needs the `s3`
    /// feature; without it, reading one is an error).
    S3(String),
    /// Bytes already in memory, with a name for error messages.
    Bytes {
        /// The name errors give.
        name: String,
        /// The content, compressed or not.
        data: Arc<[u8]>,
    },
}

impl Source {
    /// Reads a command-line argument: `-` is standard input, `s3://...` an S3 prefix, anything else a path.
    pub fn from_arg(arg: &str) -> Source {
        if arg == "-" {
            Source::Stdin
        } else if arg.starts_with("s3://") {
            Source::S3(arg.to_owned())
        } else {
            Source::Path(PathBuf::from(arg))
        }
    }
}

/// Where a delivered record comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordInfo<'r> {
    /// The input: a path, `-` for stdin, or the name given with [`Source::Bytes`].
    pub input: &'r str,
    /// The record's 0-based index in its input.
    pub index: u64,
    /// The record's byte offset in the input's decompressed content.
    pub offset: u64,
    /// The record's JSON text, exactly as in the input.
    pub text: &'r str,
}

/// What a parallel read returns: each worker's state, and the counts.
#[derive(Debug)]
pub struct Output<S> {
    /// One state per worker thread, as the fold left it.
    pub states: Vec<S>,
    /// What was read, delivered, reported and skipped.
    pub stats: Stats,
}

/// One input to read, found while listing the sources.
#[derive(Debug, Clone)]
struct Input {
    name: String,
    kind: InputKind,
}

#[derive(Debug, Clone)]
enum InputKind {
    File {
        path: PathBuf,
        size: u64,
    },
    Stdin,
    Bytes(Arc<[u8]>),
    #[cfg(feature = "s3")]
    S3 {
        bucket: Arc<crate::s3::Bucket>,
        key: String,
        size: u64,
    },
}

/// Reads CloudTrail records from files, directory trees, stdin and memory.
///
/// Work is spread over the worker threads by input (the unit every real deployment has: one delivered
/// file); records of one input are handed over in their order. Each worker reuses one buffer for the
/// decompressed content of the input it reads, so memory is bounded by the number of workers times the
/// largest input, whatever the number and total size of the inputs.
#[derive(Debug, Clone, Default)]
pub struct Reader {
    options: ReaderOptions,
}

impl Reader {
    /// A reader with these options.
    pub fn new(options: ReaderOptions) -> Self {
        Reader { options }
    }

    /// The options.
    pub fn options(&self) -> &ReaderOptions {
        &self.options
    }

    /// Reads every source on all worker threads. Each worker starts from `init()` and calls
    /// `fold(&mut state, &event, info)` for every record it reads; errors go to `on_error` (under
    /// [`ErrorPolicy::SkipAndReport`]) or end the read (under [`ErrorPolicy::FailFast`]).
    ///
    /// # Panics
    ///
    /// When `init`, `fold` or `on_error` panics on a worker, the other workers stop at their next
    /// record and the panic is resumed on the calling thread: a read never returns `Ok` with a
    /// worker's records missing.
    pub fn fold<S, I, F, E>(
        &self,
        sources: &[Source],
        init: I,
        fold: F,
        on_error: E,
    ) -> Result<Output<S>, ReadError>
    where
        S: Send,
        I: Fn() -> S + Sync,
        F: Fn(&mut S, &Event<'_>, RecordInfo<'_>) + Sync,
        E: Fn(&ReadError) + Sync,
    {
        let mut listing_stats = Stats::default();
        let inputs = self.list(sources, &mut listing_stats, &mut |error| on_error(&error))?;
        let bytes_total = inputs.iter().try_fold(0u64, |sum, input| match input.kind {
            InputKind::File { size, .. } => Some(sum + size),
            InputKind::Bytes(ref data) => Some(sum + data.len() as u64),
            #[cfg(feature = "s3")]
            InputKind::S3 { size, .. } => Some(sum + size),
            InputKind::Stdin => None,
        });
        let shared = Shared {
            next: AtomicUsize::new(0),
            stop: AtomicBool::new(false),
            first_error: Mutex::new(None),
            inputs_done: AtomicU64::new(0),
            bytes_done: AtomicU64::new(0),
            records_done: AtomicU64::new(0),
            bytes_total,
            inputs_total: inputs.len() as u64,
        };
        let threads = self.options.worker_threads().min(inputs.len()).max(1);
        let joined: Vec<std::thread::Result<(S, Stats)>> = std::thread::scope(|scope| {
            let workers: Vec<_> = (0..threads)
                .map(|_| {
                    scope.spawn(|| {
                        // A worker that panics (in the caller's fold, say) stops the others.
                        let _stop_on_panic = StopOnPanic(&shared.stop);
                        self.work(&inputs, &shared, &init, &fold, &on_error)
                    })
                })
                .collect();
            workers.into_iter().map(|worker| worker.join()).collect()
        });
        // A worker's panic goes on in the caller: returning without its records would lose them
        // silently.
        let mut results = Vec::with_capacity(joined.len());
        for result in joined {
            match result {
                Ok(result) => results.push(result),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        if let Ok(mut first) = shared.first_error.lock()
            && let Some(error) = first.take()
        {
            return Err(error);
        }
        let mut stats = listing_stats;
        let mut states = Vec::with_capacity(results.len());
        for (state, worker_stats) in results {
            stats.merge(&worker_stats);
            states.push(state);
        }
        Ok(Output { states, stats })
    }

    /// Reads every source on all worker threads, calling `on_record` for every record.
    pub fn for_each<F, E>(
        &self,
        sources: &[Source],
        on_record: F,
        on_error: E,
    ) -> Result<Stats, ReadError>
    where
        F: Fn(&Event<'_>, RecordInfo<'_>) + Sync,
        E: Fn(&ReadError) + Sync,
    {
        self.fold(
            sources,
            || (),
            |(), event, info| on_record(event, info),
            on_error,
        )
        .map(|output| output.stats)
    }

    /// Reads the sources one input at a time on the calling thread, yielding owned records and errors in
    /// order. Simpler than [`Reader::fold`], and slower: each record is copied to be owned.
    pub fn records(&self, sources: &[Source]) -> Result<Records, ReadError> {
        let mut stats = Stats::default();
        let mut pending = VecDeque::new();
        let inputs = self.list(sources, &mut stats, &mut |error| {
            pending.push_back(Err(error))
        })?;
        Ok(Records {
            reader: self.clone(),
            inputs: inputs.into(),
            pending,
            buffer: Buffers::default(),
            stats,
        })
    }

    fn work<S, I, F, E>(
        &self,
        inputs: &[Input],
        shared: &Shared,
        init: &I,
        fold: &F,
        on_error: &E,
    ) -> (S, Stats)
    where
        I: Fn() -> S,
        F: Fn(&mut S, &Event<'_>, RecordInfo<'_>),
        E: Fn(&ReadError),
    {
        let mut state = init();
        let mut stats = Stats::default();
        let mut buffer = Buffers::default();
        loop {
            if shared.stop.load(Ordering::Relaxed) {
                break;
            }
            let i = shared.next.fetch_add(1, Ordering::Relaxed);
            let Some(input) = inputs.get(i) else { break };
            let delivered_before = stats.records_delivered;
            let mut report = |error: ReadError| -> bool {
                match self.options.policy {
                    ErrorPolicy::SkipAndReport => {
                        on_error(&error);
                        true
                    }
                    ErrorPolicy::FailFast => {
                        shared.stop.store(true, Ordering::Relaxed);
                        if let Ok(mut first) = shared.first_error.lock() {
                            first.get_or_insert(error);
                        }
                        false
                    }
                }
            };
            let mut deliver = |event: &Event<'_>, info: RecordInfo<'_>| {
                fold(&mut state, event, info);
                !shared.stop.load(Ordering::Relaxed)
            };
            let stored = self.read_input(input, &mut buffer, &mut stats, &mut deliver, &mut report);
            shared.inputs_done.fetch_add(1, Ordering::Relaxed);
            shared.bytes_done.fetch_add(stored, Ordering::Relaxed);
            shared.records_done.fetch_add(
                stats.records_delivered - delivered_before,
                Ordering::Relaxed,
            );
            if let Some(progress) = &self.options.progress {
                progress(&shared.progress());
            }
        }
        (state, stats)
    }

    /// Reads one input into `buffer` and scans it; returns the bytes it had as stored.
    fn read_input(
        &self,
        input: &Input,
        buffer: &mut Buffers,
        stats: &mut Stats,
        deliver: &mut dyn FnMut(&Event<'_>, RecordInfo<'_>) -> bool,
        report: &mut dyn FnMut(ReadError) -> bool,
    ) -> u64 {
        stats.inputs_read += 1;
        let limit = self.options.max_decompressed_bytes;
        let damaged = self.options.damaged_gzip;
        let (stored, decoded) = match &input.kind {
            InputKind::File { path, size } => match File::open(path) {
                Ok(file) => (*size, decode(file, buffer, limit, damaged)),
                Err(error) => (*size, Err(DecodeStop::Io(error))),
            },
            InputKind::Stdin => {
                let mut counter = CountingReader {
                    inner: io::stdin().lock(),
                    count: 0,
                };
                let decoded = decode(&mut counter, buffer, limit, damaged);
                (counter.count, decoded)
            }
            InputKind::Bytes(data) => {
                (data.len() as u64, decode(&data[..], buffer, limit, damaged))
            }
            #[cfg(feature = "s3")]
            InputKind::S3 { bucket, key, size } => match bucket.get(key) {
                Ok(data) => (*size, decode(data.as_ref(), buffer, limit, damaged)),
                Err(error) => (*size, Err(DecodeStop::Io(error))),
            },
        };
        stats.bytes_read += stored;
        stats.bytes_decompressed += buffer.content().len() as u64;
        let name = input.name.as_str();
        let stop = match decoded {
            Ok(()) => None,
            Err(DecodeStop::Io(error)) => {
                stats.inputs_failed += 1;
                stats.errors += 1;
                report(ReadError::Io {
                    input: name.to_owned(),
                    error,
                });
                return stored;
            }
            Err(stop) => Some(stop),
        };

        let mut keep_going = true;
        let mut on_record = |found: Found<'_>| -> Flow {
            let span = match found {
                Found::Record(span) => span,
                Found::Lost(error) => {
                    stats.records_reported += 1;
                    stats.errors += 1;
                    keep_going = report(error);
                    return if keep_going {
                        Flow::Continue
                    } else {
                        Flow::Stop
                    };
                }
            };
            let info = RecordInfo {
                input: name,
                index: span.index,
                offset: span.offset,
                text: span.text,
            };
            // Records are large (close to a kilobyte): the scan's stays where it is, borrowed.
            let owned;
            let parsed = match span.event {
                Some(event) => Ok(event),
                None => match Event::from_json(span.text) {
                    Ok(event) => {
                        owned = event;
                        Ok(&owned)
                    }
                    Err(error) => Err(error),
                },
            };
            let problem = match parsed {
                Err(error) => Some(ReadError::NotARecord {
                    input: name.to_owned(),
                    record_index: span.index,
                    offset: span.offset,
                    error,
                }),
                Ok(_) if nesting_exceeds(span.text.as_bytes(), MAX_NESTING) => {
                    Some(ReadError::TooDeep {
                        input: name.to_owned(),
                        record_index: span.index,
                        offset: span.offset,
                        limit: MAX_NESTING as u64,
                    })
                }
                Ok(event) => {
                    if let Some(lookalike) = event.lookalike() {
                        Some(ReadError::NotCloudTrail {
                            input: name.to_owned(),
                            record_index: span.index,
                            offset: span.offset,
                            lookalike,
                        })
                    } else if !has_record_members(event) {
                        Some(ReadError::NoRecordMembers {
                            input: name.to_owned(),
                            record_index: span.index,
                            offset: span.offset,
                        })
                    } else {
                        stats.records_delivered += 1;
                        keep_going = deliver(event, info);
                        None
                    }
                }
            };
            if let Some(error) = problem {
                stats.records_reported += 1;
                stats.errors += 1;
                keep_going = report(error);
            }
            if keep_going {
                Flow::Continue
            } else {
                Flow::Stop
            }
        };
        let scanned = scan(
            name,
            buffer.content(),
            Window {
                offset: 0,
                first_index: 0,
                last: true,
                within_values: false,
            },
            self.options.max_record_bytes,
            &mut on_record,
        );
        if !keep_going {
            return stored;
        }
        if scanned.digest {
            stats.digests_skipped += 1;
        }
        // A decoding stop is the cause of whatever damage the scan then found at the end of the content.
        let damage = match stop {
            Some(DecodeStop::Gzip(error)) => Some(ReadError::Gzip {
                input: name.to_owned(),
                record_index: scanned.records,
                offset: buffer.content().len() as u64,
                error,
            }),
            Some(DecodeStop::TooLarge) => Some(ReadError::TooLarge {
                input: name.to_owned(),
                limit: self.options.max_decompressed_bytes,
            }),
            Some(DecodeStop::Io(_)) | None => scanned.damage,
        };
        if let Some(error) = damage {
            if !matches!(error, ReadError::Empty { .. }) {
                // The record the content was cut short in.
                stats.records_reported += 1;
            }
            stats.inputs_failed += 1;
            stats.errors += 1;
            report(error);
        }
        stored
    }

    /// A source that could not be listed: the error ends the read under fail-fast, else it is counted
    /// as a failed input and reported.
    fn unlisted_source(
        &self,
        listed: std::io::Result<()>,
        input: String,
        stats: &mut Stats,
        on_error: &mut dyn FnMut(ReadError),
    ) -> Result<(), ReadError> {
        let Err(error) = listed else { return Ok(()) };
        let error = ReadError::Io { input, error };
        if self.options.policy == ErrorPolicy::FailFast {
            return Err(error);
        }
        stats.errors += 1;
        stats.inputs_failed += 1;
        on_error(error);
        Ok(())
    }

    /// [`Reader::unlisted_source`] for an entry of a tree.
    fn unlisted(
        &self,
        listed: io::Result<()>,
        path: &Path,
        walk: &mut Walk<'_>,
    ) -> Result<(), ReadError> {
        self.unlisted_source(
            listed,
            path.display().to_string(),
            walk.stats,
            &mut *walk.on_error,
        )
    }

    /// Expands the sources into inputs: directories walked in name order through the layout filter.
    fn list(
        &self,
        sources: &[Source],
        stats: &mut Stats,
        on_error: &mut dyn FnMut(ReadError),
    ) -> Result<Vec<Input>, ReadError> {
        let mut inputs = Vec::new();
        for source in sources {
            match source {
                Source::Stdin => inputs.push(Input {
                    name: "-".to_owned(),
                    kind: InputKind::Stdin,
                }),
                Source::Bytes { name, data } => inputs.push(Input {
                    name: name.clone(),
                    kind: InputKind::Bytes(Arc::clone(data)),
                }),
                Source::S3(url) => {
                    let listed = self.list_s3(url, &mut inputs, stats);
                    self.unlisted_source(listed, url.clone(), stats, on_error)?;
                }
                Source::Path(path) => {
                    let mut walk = Walk {
                        inputs: &mut inputs,
                        stats: &mut *stats,
                        on_error: &mut *on_error,
                        ancestors: Vec::new(),
                    };
                    self.walk(path, true, &mut walk)?;
                }
            }
        }
        Ok(inputs)
    }

    /// Lists an S3 prefix through the layout filter.
    #[cfg(feature = "s3")]
    fn list_s3(&self, url: &str, inputs: &mut Vec<Input>, stats: &mut Stats) -> io::Result<()> {
        let (bucket, prefix) = crate::s3::parse_url(url).ok_or_else(|| {
            io::Error::new(io::ErrorKind::InvalidInput, "expected s3://bucket/prefix")
        })?;
        let bucket = crate::s3::Bucket::open(bucket, &self.options.s3)?;
        for (key, size) in bucket.list(prefix)? {
            if self.options.filter.admits_file(&key) {
                inputs.push(Input {
                    name: bucket.url(&key),
                    kind: InputKind::S3 {
                        bucket: Arc::clone(&bucket),
                        key,
                        size,
                    },
                });
            } else {
                stats.files_pruned += 1;
            }
        }
        Ok(())
    }

    #[cfg(not(feature = "s3"))]
    fn list_s3(&self, _url: &str, _inputs: &mut Vec<Input>, _stats: &mut Stats) -> io::Result<()> {
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "reading S3 needs cloudtrail-reader's `s3` feature",
        ))
    }

    /// Lists `path` into `walk.inputs`: a file, or a directory read recursively in name order through
    /// the layout filter. An entry that cannot be read (a dangling symbolic link, a directory that
    /// cannot be listed, a symbolic link loop, a FIFO or device) is reported under its own name, and the
    /// rest of the tree is listed; under fail-fast it ends the read.
    ///
    /// Symbolic links are followed, as `find -L` does; a link to a directory that is being listed
    /// already (one of its own ancestors) is a loop, reported and not followed. A directory reached by
    /// two links that are not a loop is read twice, as its files are there twice.
    fn walk(&self, path: &Path, given: bool, walk: &mut Walk<'_>) -> Result<(), ReadError> {
        let metadata = match fs::metadata(path) {
            Ok(metadata) => metadata,
            Err(error) => return self.unlisted(Err(error), path, walk),
        };
        let text = path.to_string_lossy();
        if metadata.is_dir() {
            if !given && !self.options.filter.admits_dir(&text) {
                walk.stats.files_pruned += 1;
                return Ok(());
            }
            let canonical = match fs::canonicalize(path) {
                Ok(canonical) => canonical,
                Err(error) => return self.unlisted(Err(error), path, walk),
            };
            if walk.ancestors.contains(&canonical) {
                let error = io::Error::other(format!(
                    "a symbolic link loop: this is {}, which is being read already",
                    canonical.display()
                ));
                return self.unlisted(Err(error), path, walk);
            }
            let listing = match fs::read_dir(path) {
                Ok(listing) => listing,
                Err(error) => return self.unlisted(Err(error), path, walk),
            };
            let mut entries = Vec::new();
            for entry in listing {
                match entry {
                    Ok(entry) => entries.push(entry.path()),
                    Err(error) => self.unlisted(Err(error), path, walk)?,
                }
            }
            entries.sort();
            walk.ancestors.push(canonical);
            for entry in entries {
                self.walk(&entry, false, walk)?;
            }
            walk.ancestors.pop();
        } else if !given && !self.options.filter.admits_file(&text) {
            walk.stats.files_pruned += 1;
        } else if !metadata.is_file() {
            // Reading a FIFO would wait for a writer forever; a device is no log file.
            let error = io::Error::new(
                io::ErrorKind::InvalidInput,
                "not a regular file (a FIFO, socket or device): not read",
            );
            self.unlisted(Err(error), path, walk)?;
        } else {
            walk.inputs.push(Input {
                name: text.into_owned(),
                kind: InputKind::File {
                    path: path.to_owned(),
                    size: metadata.len(),
                },
            });
        }
        Ok(())
    }
}

/// What listing a tree adds to.
struct Walk<'w> {
    inputs: &'w mut Vec<Input>,
    stats: &'w mut Stats,
    on_error: &'w mut dyn FnMut(ReadError),
    /// The directories being listed, from the root down (resolved), to tell a link loop.
    ancestors: Vec<PathBuf>,
}

/// A record has at least one of these members (in any letter case, as exports lowercase them); an object
/// with none (a JSON file whose `Records` array is missing, say) is not delivered as one.
const RECORD_MEMBERS: &[&str] = &[
    "eventVersion",
    "eventTime",
    "eventName",
    "eventSource",
    "eventID",
    "eventType",
    "userIdentity",
];

fn has_record_members(event: &Event<'_>) -> bool {
    event.event_version.is_some()
        || event.event_time.is_some()
        || event.event_name.is_some()
        || event.event_source.is_some()
        || event.event_id.is_some()
        || event.event_type.is_some()
        || event.user_identity.is_some()
        || event.other.iter().any(|(key, _)| {
            RECORD_MEMBERS
                .iter()
                .any(|name| name.eq_ignore_ascii_case(key))
        })
}

/// The deepest nesting of arrays and objects accepted in a record, as serde_json allows when it builds
/// values (real records nest a dozen levels).
const MAX_NESTING: usize = 128;

/// Whether `text` nests arrays and objects deeper than `limit`. Most records have fewer brackets than the
/// limit in all, which a vectorised count settles without walking the text.
fn nesting_exceeds(text: &[u8], limit: usize) -> bool {
    // `{` and `[` (0x7b, 0x5b) are the only bytes that read 0x7b with bit 5 set. Counted in byte-wide
    // sums of 64 bytes, the compiler vectorises this well (with a word-wide sum, or a search stopping at
    // each bracket, it is ten times slower).
    let (chunks, rest) = text.as_chunks::<64>();
    let is_opening = |byte: u8| u8::from(byte | 0x20 == b'{');
    let opening = chunks
        .iter()
        .map(|chunk| usize::from(chunk.iter().fold(0u8, |n, &byte| n + is_opening(byte))))
        .sum::<usize>()
        + rest
            .iter()
            .map(|&byte| usize::from(is_opening(byte)))
            .sum::<usize>();
    if opening <= limit {
        return false;
    }
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for &byte in text {
        if in_string {
            if escaped {
                escaped = false;
            } else if byte == b'\\' {
                escaped = true;
            } else if byte == b'"' {
                in_string = false;
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'{' | b'[' => {
                depth += 1;
                if depth > limit {
                    return true;
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}

/// Sets the stop flag when dropped during a panic.
struct StopOnPanic<'a>(&'a AtomicBool);

impl Drop for StopOnPanic<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.store(true, Ordering::Relaxed);
        }
    }
}

struct Shared {
    next: AtomicUsize,
    stop: AtomicBool,
    first_error: Mutex<Option<ReadError>>,
    inputs_done: AtomicU64,
    bytes_done: AtomicU64,
    records_done: AtomicU64,
    bytes_total: Option<u64>,
    inputs_total: u64,
}

impl Shared {
    fn progress(&self) -> Progress {
        Progress {
            inputs_done: self.inputs_done.load(Ordering::Relaxed),
            inputs_total: self.inputs_total,
            bytes_done: self.bytes_done.load(Ordering::Relaxed),
            bytes_total: self.bytes_total,
            records_done: self.records_done.load(Ordering::Relaxed),
        }
    }
}

struct CountingReader<R> {
    inner: R,
    count: u64,
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count += n as u64;
        Ok(n)
    }
}

/// A record read by [`Reader::records`], with where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct LocatedEvent {
    /// The record.
    pub event: OwnedEvent,
    /// Its input.
    pub input: Arc<str>,
    /// Its index in the input.
    pub index: u64,
    /// Its byte offset in the decompressed input.
    pub offset: u64,
}

/// The records and errors of [`Reader::records`], in order, one input at a time.
#[derive(Debug)]
pub struct Records {
    reader: Reader,
    inputs: VecDeque<Input>,
    pending: VecDeque<Result<LocatedEvent, ReadError>>,
    buffer: Buffers,
    stats: Stats,
}

impl Records {
    /// The counts so far.
    pub fn stats(&self) -> &Stats {
        &self.stats
    }
}

impl Iterator for Records {
    type Item = Result<LocatedEvent, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(item) = self.pending.pop_front() {
                return Some(item);
            }
            let input = self.inputs.pop_front()?;
            let name: Arc<str> = Arc::from(input.name.as_str());
            let pending = RefCell::new(VecDeque::new());
            let mut deliver = |event: &Event<'_>, info: RecordInfo<'_>| {
                pending.borrow_mut().push_back(Ok(LocatedEvent {
                    event: event.clone().into_owned(),
                    input: Arc::clone(&name),
                    index: info.index,
                    offset: info.offset,
                }));
                true
            };
            let mut report = |error: ReadError| {
                pending.borrow_mut().push_back(Err(error));
                true
            };
            let mut buffer = std::mem::take(&mut self.buffer);
            self.reader.read_input(
                &input,
                &mut buffer,
                &mut self.stats,
                &mut deliver,
                &mut report,
            );
            self.buffer = buffer;
            self.pending = pending.into_inner();
        }
    }
}
