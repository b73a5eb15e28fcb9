//! [`Reader`]: lists the inputs, then reads them on all cores, handing borrowed records to the caller.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::fs::{self, File};
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use cloudtrail_model::{Event, Lookalike, OwnedEvent, Projection};

use crate::decode::{Buffers, DecodeStop, Decoder, KEEP_CONTENT};
use crate::error::ReadError;
use crate::format::{Flow, Found, Shape, Window, scan, shape};
use crate::options::{DamagedGzip, ErrorPolicy, Progress, ReaderOptions};
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
    /// The input's 0-based position in the read's listing (sources in the order given, each directory
    /// in path order). Workers take inputs in this order; [`Reader::fold_inputs`] says when one is done.
    pub input_index: usize,
    /// The record's 0-based index in its input.
    pub index: u64,
    /// The record's byte offset in the input's decompressed content.
    pub offset: u64,
    /// The record's JSON text, exactly as in the input.
    pub text: &'r str,
}

/// An input a worker has finished, as [`Reader::fold_inputs`] hands it to the worker's state. Every
/// listed input is finished exactly once, whatever happened while reading it (records delivered,
/// errors reported, or nothing at all), unless the read stops early.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct InputDone<'r> {
    /// The input, as [`RecordInfo::input`] names it.
    pub input: &'r str,
    /// Its position in the read's listing, as [`RecordInfo::input_index`].
    pub input_index: usize,
    /// The records it delivered.
    pub records_delivered: u64,
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
/// decompressed content of the input it reads: a stream of values a window at a time, a document whole
/// under [`ReaderOptions::max_decompressed_bytes`], so memory is bounded by the number of workers times
/// the caps, whatever the number and total size of the inputs (crate docs, Bounds).
#[derive(Debug, Clone)]
pub struct Reader {
    options: ReaderOptions,
    /// The projection records are read under: the options', with the members the reader reads.
    projection: Option<Projection>,
    /// Content added at a time to a stream of values ([`WINDOW`]; smaller in the tests).
    window: usize,
}

impl Default for Reader {
    fn default() -> Self {
        Reader::new(ReaderOptions::default())
    }
}

impl Reader {
    /// A reader with these options.
    pub fn new(options: ReaderOptions) -> Self {
        let projection = options.projection.as_ref().map(|projection| {
            projection
                .clone()
                .union(&Projection::of(Lookalike::MEMBERS))
        });
        Reader {
            options,
            projection,
            window: WINDOW,
        }
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
    /// worker's records missing. A read with one worker (one thread, or one input) runs on the calling
    /// thread and spawns none.
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
        self.fold_inputs(sources, init, fold, |_, _| {}, on_error)
    }

    /// [`Reader::fold`], also calling `done(&mut state, input)` on the worker that read an input when
    /// it has finished it, whether it delivered records or not. Inputs are handed to workers in the
    /// order of [`RecordInfo::input_index`], so a consumer that needs the inputs' results in listing
    /// order (a correlator on event time, a checkpoint of the files fully processed) can put them back
    /// in that order: the results of input `k` are complete once `done` has been called for it.
    pub fn fold_inputs<S, I, F, D, E>(
        &self,
        sources: &[Source],
        init: I,
        fold: F,
        done: D,
        on_error: E,
    ) -> Result<Output<S>, ReadError>
    where
        S: Send,
        I: Fn() -> S + Sync,
        F: Fn(&mut S, &Event<'_>, RecordInfo<'_>) + Sync,
        D: Fn(&mut S, InputDone<'_>) + Sync,
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
        // One worker runs on the calling thread: a read of one input (or with one thread) spawns
        // nothing, and a panic in it simply unwinds to the caller.
        if threads == 1 {
            let (state, worker_stats) = self.work(&inputs, &shared, &init, &fold, &done, &on_error);
            return Self::finish(&shared, listing_stats, vec![(state, worker_stats)]);
        }
        let joined: Vec<std::thread::Result<(S, Stats)>> = std::thread::scope(|scope| {
            let workers: Vec<_> = (0..threads)
                .map(|_| {
                    scope.spawn(|| {
                        // A worker that panics (in the caller's fold, say) stops the others.
                        let _stop_on_panic = StopOnPanic(&shared.stop);
                        self.work(&inputs, &shared, &init, &fold, &done, &on_error)
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
        Self::finish(&shared, listing_stats, results)
    }

    /// The read's outcome from the workers' results: the first error that ended it, or their states
    /// and merged counts.
    fn finish<S>(
        shared: &Shared,
        listing_stats: Stats,
        results: Vec<(S, Stats)>,
    ) -> Result<Output<S>, ReadError> {
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
    /// order. Simpler than [`Reader::fold`], and slower: each record is copied to be owned. One input's
    /// records are collected before they are yielded, so memory grows with the largest input's records
    /// (unlike [`Reader::fold`], which streams JSON Lines of any size).
    pub fn records(&self, sources: &[Source]) -> Result<Records, ReadError> {
        let mut stats = Stats::default();
        let mut pending = VecDeque::new();
        let inputs = self.list(sources, &mut stats, &mut |error| {
            pending.push_back(Err(error))
        })?;
        Ok(Records {
            reader: self.clone(),
            inputs: inputs.into(),
            next_index: 0,
            pending,
            buffer: Buffers::default(),
            stats,
        })
    }

    fn work<S, I, F, D, E>(
        &self,
        inputs: &[Input],
        shared: &Shared,
        init: &I,
        fold: &F,
        done: &D,
        on_error: &E,
    ) -> (S, Stats)
    where
        I: Fn() -> S,
        F: Fn(&mut S, &Event<'_>, RecordInfo<'_>),
        D: Fn(&mut S, InputDone<'_>),
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
            let stored =
                self.read_input(input, i, &mut buffer, &mut stats, &mut deliver, &mut report);
            let records_delivered = stats.records_delivered - delivered_before;
            done(
                &mut state,
                InputDone {
                    input: &input.name,
                    input_index: i,
                    records_delivered,
                },
            );
            shared.inputs_done.fetch_add(1, Ordering::Relaxed);
            shared.bytes_done.fetch_add(stored, Ordering::Relaxed);
            shared
                .records_done
                .fetch_add(records_delivered, Ordering::Relaxed);
            if let Some(progress) = &self.options.progress {
                progress(&shared.progress());
            }
        }
        (state, stats)
    }

    /// Reads one input and hands its records over: a document whole under
    /// [`ReaderOptions::max_decompressed_bytes`], a stream of values a window at a time. Returns the
    /// bytes it had as stored.
    fn read_input(
        &self,
        input: &Input,
        input_index: usize,
        buffer: &mut Buffers,
        stats: &mut Stats,
        deliver: &mut dyn FnMut(&Event<'_>, RecordInfo<'_>) -> bool,
        report: &mut dyn FnMut(ReadError) -> bool,
    ) -> u64 {
        stats.inputs_read += 1;
        let counted = Cell::new(0u64);
        let (stored, opened): (Option<u64>, io::Result<Box<dyn Read + '_>>) = match &input.kind {
            InputKind::File { path, size } => (
                Some(*size),
                File::open(path).map(|file| Box::new(file) as Box<dyn Read>),
            ),
            InputKind::Stdin => (
                None,
                Ok(Box::new(CountingReader {
                    inner: io::stdin().lock(),
                    count: &counted,
                })),
            ),
            InputKind::Bytes(data) => (Some(data.len() as u64), Ok(Box::new(&data[..]))),
            #[cfg(feature = "s3")]
            InputKind::S3 { bucket, key, size } => (
                Some(*size),
                bucket
                    .reader(key)
                    .map(|object| Box::new(object) as Box<dyn Read>),
            ),
        };
        let mut sink = Sink {
            name: input.name.as_str(),
            input_index,
            stats: &mut *stats,
            deliver,
            report,
            keep_going: true,
            projection: self.projection.as_ref(),
        };
        let decoder = opened.map_err(DecodeStop::Io).and_then(|opened| {
            Decoder::new(
                opened,
                buffer,
                self.options.damaged_gzip,
                stored,
                self.whole_limit(),
            )
        });
        match decoder {
            Ok(mut decoder) => self.read_content(&mut decoder, buffer, &mut sink),
            Err(DecodeStop::Io(error) | DecodeStop::Read(error) | DecodeStop::Gzip(error)) => {
                sink.stats.inputs_failed += 1;
                sink.stats.errors += 1;
                (sink.report)(ReadError::Io {
                    input: input.name.clone(),
                    error,
                });
            }
        }
        buffer.release_large();
        let stored = stored.unwrap_or(counted.get());
        stats.bytes_read += stored;
        stored
    }

    /// The most content a small gzip input's member may inflate to in one call: no more than a
    /// document's cap, nor than a stream's bound (a value and a window), nor than a worker keeps.
    fn whole_limit(&self) -> usize {
        let stream = self
            .options
            .max_record_bytes
            .saturating_add(self.window as u64);
        let limit = self.options.max_decompressed_bytes.min(stream);
        usize::try_from(limit).map_or(KEEP_CONTENT, |limit| limit.min(KEEP_CONTENT))
    }

    /// Reads the content of an input being decoded: whole when it is a document (or cannot be told
    /// from its start), a window at a time when it starts as a stream of objects (JSON Lines,
    /// concatenated JSON, envelopes). Under [`DamagedGzip::DropMember`] gzip is read whole, as a
    /// member's records are delivered only once its check has passed.
    fn read_content<R: Read>(
        &self,
        decoder: &mut Decoder<R>,
        buffer: &mut Buffers,
        sink: &mut Sink<'_>,
    ) {
        let first = decoder.fill(buffer, PEEK.min(self.window));
        let streams = first.is_ok()
            && (self.options.damaged_gzip == DamagedGzip::DeliverBeforeDamage
                || !decoder.is_gzip())
            && starts_values(buffer.content());
        match first {
            Err(DecodeStop::Io(error)) => {
                sink.stats.inputs_failed += 1;
                sink.stats.errors += 1;
                (sink.report)(ReadError::Io {
                    input: sink.name.to_owned(),
                    error,
                });
            }
            Ok(()) if streams => {
                self.read_stream(decoder, buffer, sink);
                sink.stats.bytes_decompressed += decoder.produced();
            }
            first => self.read_whole(decoder, buffer, sink, first.err()),
        }
    }

    /// A document read whole, under the cap.
    fn read_whole<R: Read>(
        &self,
        decoder: &mut Decoder<R>,
        buffer: &mut Buffers,
        sink: &mut Sink<'_>,
        mut stop: Option<DecodeStop>,
    ) {
        let limit = self.options.max_decompressed_bytes;
        let cap = usize::try_from(limit).unwrap_or(usize::MAX);
        if stop.is_none() {
            // One byte over the cap tells content over the cap from content exactly at it.
            stop = decoder.fill(buffer, cap.saturating_add(1)).err();
        }
        let too_large = buffer.content().len() > cap;
        buffer.truncate(cap);
        sink.stats.bytes_decompressed += buffer.content().len() as u64;
        let scanned = scan(
            sink.name,
            buffer.content(),
            Window {
                offset: 0,
                first_index: 0,
                last: true,
                within_values: false,
            },
            self.options.max_record_bytes,
            self.projection.as_ref(),
            &mut |found| sink.found(found),
        );
        if !sink.keep_going {
            return;
        }
        if scanned.digest {
            sink.stats.digests_skipped += 1;
        }
        let damage = match stop {
            Some(stop) => {
                Some(sink.decode_error(stop, scanned.records, buffer.content().len() as u64))
            }
            None if too_large => Some(ReadError::TooLarge {
                input: sink.name.to_owned(),
                limit,
            }),
            None => scanned.damage,
        };
        if let Some(error) = damage {
            sink.input_damage(error);
        }
    }

    /// A stream of values, a window at a time: each window ends at a line feed (the last one read), the
    /// value a window cuts short is carried into the next, and one that runs on past
    /// [`ReaderOptions::max_record_bytes`] without ending is lost ([`ReadError::ValueTooLong`]), its bytes
    /// dropped up to the next line that starts an object. The worker holds at most about
    /// `max_record_bytes` plus [`WINDOW`].
    fn read_stream<R: Read>(
        &self,
        decoder: &mut Decoder<R>,
        buffer: &mut Buffers,
        sink: &mut Sink<'_>,
    ) {
        let max_value = usize::try_from(self.options.max_record_bytes).unwrap_or(usize::MAX);
        let mut at = Position {
            offset: 0,
            index: 0,
            line: 1,
        };
        let (mut first, mut skipping, mut digest) = (true, false, false);
        let mut stop = None;
        loop {
            let ended = decoder.ended();
            if skipping {
                // Drop the lost value's bytes up to the next line that starts an object; a final line
                // feed is kept, as it may begin that line.
                let content = buffer.content();
                let resume = memchr::memmem::find(content, b"\n{").map(|found| found + 1);
                let dropped =
                    resume.unwrap_or(content.len() - usize::from(content.ends_with(b"\n")));
                at.pass(content.get(..dropped).unwrap_or_default());
                buffer.drop_front(dropped);
                skipping = resume.is_none();
            }
            let content = buffer.content();
            let window_end = if ended {
                content.len()
            } else if skipping {
                0
            } else {
                memchr::memrchr(b'\n', content).map_or(0, |found| found + 1)
            };
            if window_end > 0 || ended {
                let window = content.get(..window_end).unwrap_or_default();
                let scanned = scan(
                    sink.name,
                    window,
                    Window {
                        offset: at.offset,
                        first_index: at.index,
                        last: ended,
                        within_values: !first,
                    },
                    self.options.max_record_bytes,
                    self.projection.as_ref(),
                    &mut |found| sink.found(found),
                );
                if !sink.keep_going {
                    return;
                }
                digest |= scanned.digest;
                if ended {
                    if digest {
                        sink.stats.digests_skipped += 1;
                    }
                    let damage = match stop {
                        Some(stop) => {
                            Some(sink.decode_error(stop, scanned.records, decoder.produced()))
                        }
                        None => scanned.damage,
                    };
                    if let Some(error) = damage {
                        sink.input_damage(error);
                    }
                    return;
                }
                first = false;
                at.index = scanned.records;
                skipping = scanned.skipping;
                let consumed = scanned.consumed.min(window_end);
                at.pass(content.get(..consumed).unwrap_or_default());
                buffer.drop_front(consumed);
            }
            // What is left starts a value no window has ended yet.
            if !skipping && self.value_too_long(buffer, max_value, &mut at, sink) {
                if !sink.keep_going {
                    return;
                }
                (first, skipping) = (false, true);
                continue;
            }
            let target = buffer.content().len().saturating_add(self.window);
            stop = decoder.fill(buffer, target).err().or(stop);
        }
    }

    /// When the value the content held starts (after white space) is longer than `max_value` bytes and
    /// has not ended, reports it as lost and drops the content up to its first byte included (moving
    /// `at` past it); true then.
    fn value_too_long(
        &self,
        buffer: &mut Buffers,
        max_value: usize,
        at: &mut Position,
        sink: &mut Sink<'_>,
    ) -> bool {
        let carry = buffer.content();
        let start = carry.len() - carry.trim_ascii_start().len();
        if carry.len() - start <= max_value {
            return false;
        }
        at.pass(carry.get(..start).unwrap_or_default());
        let error = ReadError::ValueTooLong {
            input: sink.name.to_owned(),
            record_index: at.index,
            offset: at.offset,
            line: at.line,
            limit: self.options.max_record_bytes,
        };
        at.index += 1;
        at.pass(carry.get(start..=start).unwrap_or_default());
        buffer.drop_front(start + 1);
        sink.lost(error);
        true
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

/// Whether `event`, parsed from `text`, has the members of a record. A projected record that shows none
/// is looked at whole (rare: the reader keeps `eventVersion` and `eventSource`), so that the decision is
/// the whole read's.
fn is_record(event: &Event<'_>, text: &str) -> bool {
    has_record_members(event)
        || (event.projection().is_some()
            && Event::from_json(text).is_ok_and(|whole| has_record_members(&whole)))
}

/// Parses one record, under `projection` if any.
fn parse<'s>(
    text: &'s str,
    projection: Option<&'s Projection>,
) -> Result<Event<'s>, cloudtrail_model::ParseError> {
    match projection {
        Some(projection) => Event::from_json_projected(text, projection),
        None => Event::from_json(text),
    }
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

struct CountingReader<'c, R> {
    inner: R,
    count: &'c Cell<u64>,
}

impl<R: Read> Read for CountingReader<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.set(self.count.get() + n as u64);
        Ok(n)
    }
}

/// Content read first from each input, to tell a document from a stream of values.
const PEEK: usize = 64 << 10;

/// Content added at a time to a stream of values; a window ends at the last line feed read.
const WINDOW: usize = 1 << 20;

/// Whether content that starts with `start` is read as a stream of values: it starts with an object
/// that is not a `{"Records":[...]}` container.
fn starts_values(start: &[u8]) -> bool {
    let text = start
        .strip_prefix(b"\xef\xbb\xbf")
        .unwrap_or(start)
        .trim_ascii_start();
    text.first() == Some(&b'{') && shape(start) == Shape::Values
}

/// Where a stream of values has got to: the offset, index and 1-based line of the next byte.
struct Position {
    offset: u64,
    index: u64,
    line: u64,
}

impl Position {
    /// Moves past `bytes`.
    fn pass(&mut self, bytes: &[u8]) {
        self.offset += bytes.len() as u64;
        self.line += memchr::memchr_iter(b'\n', bytes).count() as u64;
    }
}

/// Where one input's records and errors go, with the counts.
struct Sink<'s> {
    name: &'s str,
    /// The input's position in the listing.
    input_index: usize,
    stats: &'s mut Stats,
    deliver: &'s mut dyn FnMut(&Event<'_>, RecordInfo<'_>) -> bool,
    report: &'s mut dyn FnMut(ReadError) -> bool,
    /// The caller has not asked to stop.
    keep_going: bool,
    /// What is read of each record; `None` for whole records.
    projection: Option<&'s Projection>,
}

impl Sink<'_> {
    /// A record the scan found (delivered, or reported for what it holds), or a value it lost.
    fn found(&mut self, found: Found<'_>) -> Flow {
        let span = match found {
            Found::Record(span) => span,
            Found::Lost(error) => {
                self.lost(error);
                return self.flow();
            }
        };
        let name = self.name;
        let info = RecordInfo {
            input: name,
            input_index: self.input_index,
            index: span.index,
            offset: span.offset,
            text: span.text,
        };
        // Records are large (close to a kilobyte): the scan's stays where it is, borrowed.
        let owned;
        let parsed = match span.event {
            Some(event) => Ok(event),
            None => match parse(span.text, self.projection) {
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
                } else if !is_record(event, span.text) {
                    Some(ReadError::NoRecordMembers {
                        input: name.to_owned(),
                        record_index: span.index,
                        offset: span.offset,
                    })
                } else {
                    self.stats.records_delivered += 1;
                    self.keep_going = (self.deliver)(event, info);
                    None
                }
            }
        };
        if let Some(error) = problem {
            self.lost(error);
        }
        self.flow()
    }

    fn flow(&self) -> Flow {
        if self.keep_going {
            Flow::Continue
        } else {
            Flow::Stop
        }
    }

    /// A record or value lost to an error.
    fn lost(&mut self, error: ReadError) {
        self.stats.records_reported += 1;
        self.stats.errors += 1;
        self.keep_going = (self.report)(error);
    }

    /// The error that ended the input early; it costs the record the content was cut short in.
    fn input_damage(&mut self, error: ReadError) {
        if !matches!(error, ReadError::Empty { .. }) {
            self.stats.records_reported += 1;
        }
        self.stats.inputs_failed += 1;
        self.stats.errors += 1;
        (self.report)(error);
    }

    /// The error for decoding that stopped after `offset` bytes of content and `record_index` records.
    fn decode_error(&self, stop: DecodeStop, record_index: u64, offset: u64) -> ReadError {
        let input = self.name.to_owned();
        match stop {
            DecodeStop::Gzip(error) => ReadError::Gzip {
                input,
                record_index,
                offset,
                error,
            },
            DecodeStop::Io(error) | DecodeStop::Read(error) => ReadError::Io {
                input,
                error: io::Error::new(
                    error.kind(),
                    format!(
                        "reading failed after {offset} bytes of content (before record \
                         {record_index}): {error}"
                    ),
                ),
            },
        }
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
    /// The listing position of the next input.
    next_index: usize,
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
            let input_index = self.next_index;
            self.next_index += 1;
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
                input_index,
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

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use proptest::prelude::*;
    use serde_json::{Value, json};

    use super::*;

    /// What a read delivered and reported, in order: (index, offset, text) and error messages.
    fn read(
        data: &[u8],
        window: usize,
        options: ReaderOptions,
    ) -> (Vec<(u64, u64, String)>, Vec<String>, Stats) {
        let mut reader = Reader::new(options.with_threads(1));
        reader.window = window;
        let mut delivered = Vec::new();
        let mut errors = Vec::new();
        let input = Input {
            name: "t".to_owned(),
            kind: InputKind::Bytes(Arc::from(data)),
        };
        let mut stats = Stats::default();
        let mut buffer = Buffers::default();
        reader.read_input(
            &input,
            0,
            &mut buffer,
            &mut stats,
            &mut |_, info| {
                delivered.push((info.index, info.offset, info.text.to_owned()));
                true
            },
            &mut |error| {
                errors.push(error.to_string());
                true
            },
        );
        (delivered, errors, stats)
    }

    /// `stream` cut at `at`, or with the byte there replaced (or one added at the end).
    fn damaged(stream: String, at: prop::sample::Index, damage: Option<u8>) -> Vec<u8> {
        let mut bytes = stream.into_bytes();
        let at = at.index(bytes.len() + 1);
        match damage {
            None => bytes.truncate(at),
            Some(byte) if at < bytes.len() => bytes[at] = byte,
            Some(byte) => bytes.push(byte),
        }
        bytes
    }

    /// The messages without serde_json's " at line N column M".
    fn without_position(errors: &[String]) -> Vec<String> {
        errors
            .iter()
            .map(|error| match error.find(" at line ") {
                Some(at) => {
                    let rest = &error[at + " at line ".len()..];
                    let end = rest
                        .find(|c: char| !(c.is_ascii_digit() || c == ' ' || c.is_ascii_lowercase()))
                        .unwrap_or(rest.len());
                    format!("{}{}", &error[..at], &rest[end..])
                }
                None => error.clone(),
            })
            .collect()
    }

    /// Records as JSON Lines or concatenated pretty-printed JSON, with strings holding what a scanner
    /// of lines could trip on.
    fn streams() -> impl Strategy<Value = String> {
        let text = proptest::string::string_regex(r#"[a-z"\\{}\[\],:é\n ]{0,12}"#).unwrap();
        let record = (0u32..1000, text, any::<bool>()).prop_map(|(i, text, nested)| {
            let mut record =
                json!({"eventVersion": "1.11", "eventName": format!("E{i}"), "x": text});
            if nested {
                record["requestParameters"] = json!({"a": [1, {"b": "}{"}], "c": null});
            }
            record
        });
        (proptest::collection::vec(record, 1..24), 0u8..3).prop_map(|(records, layout)| {
            let lines: Vec<String> = records
                .iter()
                .map(|record: &Value| match layout {
                    0 => record.to_string(),
                    1 => serde_json::to_string_pretty(record).unwrap(),
                    _ => format!("  {record} "),
                })
                .collect();
            lines.join("\n") + "\n"
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 384, ..ProptestConfig::default() })]

        /// Read a window at a time, any stream (damaged or not, plain or gzip) delivers and reports
        /// exactly what it does read whole.
        #[test]
        fn a_stream_read_in_windows_reads_as_it_does_whole(
            stream in streams(),
            at in any::<prop::sample::Index>(),
            damage in prop_oneof![
                Just(None),
                prop::sample::select(b"\"{}[],: x\\\xff\n".to_vec()).prop_map(Some),
            ],
            window in 16usize..400,
            gzip in any::<bool>(),
        ) {
            let mut bytes = damaged(stream, at, damage);
            if gzip {
                use std::io::Write;
                let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
                encoder.write_all(&bytes).unwrap();
                bytes = encoder.finish().unwrap();
            }
            let whole = read(&bytes, usize::MAX / 4, ReaderOptions::default());
            let windows = read(&bytes, window, ReaderOptions::default());
            prop_assert_eq!(&windows.0, &whole.0);
            // serde_json counts the line and column it names from the start of the text it parsed,
            // the window: the rest of each message (input, record, byte offset, cause) is the same.
            prop_assert_eq!(without_position(&windows.1), without_position(&whole.1));
            prop_assert_eq!(windows.2, whole.2);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        /// With a cap on values small enough to hit, every record delivered is the input's own text at
        /// its offset and under the cap, indexes rise, and each value is delivered or reported once.
        #[test]
        fn values_over_the_cap_in_a_stream_are_lost_alone(
            stream in streams(),
            at in any::<prop::sample::Index>(),
            damage in prop_oneof![
                Just(None),
                prop::sample::select(b"\"{}[],: x\\\n".to_vec()).prop_map(Some),
            ],
            window in 16usize..400,
            max_record in 40u64..300,
        ) {
            let bytes = damaged(stream, at, damage);
            let options = ReaderOptions::default().with_max_record_bytes(max_record);
            let (delivered, errors, stats) = read(&bytes, window, options);
            for (index, offset, text) in &delivered {
                let offset = usize::try_from(*offset).unwrap();
                prop_assert_eq!(&bytes[offset..offset + text.len()], text.as_bytes(), "record {}", index);
                prop_assert!(text.len() as u64 <= max_record);
            }
            prop_assert!(delivered.windows(2).all(|pair| pair[0].0 < pair[1].0));
            prop_assert_eq!(stats.records_delivered, delivered.len() as u64);
            prop_assert_eq!(stats.errors, errors.len() as u64);
            // Every value found has an index of its own: delivered and reported ones together are
            // numbered without a gap.
            let found = delivered.last().map_or(0, |last| last.0 + 1);
            prop_assert!(stats.records_read() >= found, "{:?} {:?}", stats, errors);
        }
    }

    #[test]
    fn a_value_longer_than_the_cap_is_lost_alone_in_a_stream() {
        let mut text = String::new();
        text.push_str("{\"eventName\":\"A\"}\n");
        text.push_str(&format!("{{\"eventName\":\"{}", "x".repeat(5000)));
        text.push_str("\n{\"eventName\":\"B\"}\n");
        let options = ReaderOptions::default().with_max_record_bytes(1000);
        let (delivered, errors, stats) = read(text.as_bytes(), 64, options);
        let names: Vec<&str> = delivered.iter().map(|d| &d.2[14..15]).collect();
        assert_eq!(names, ["A", "B"]);
        assert_eq!(delivered[1].0, 2, "the lost line keeps its index");
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(
            errors[0]
                .starts_with("t: record 1 at byte 18 (line 2): a value runs on past 1000 bytes"),
            "{}",
            errors[0]
        );
        assert_eq!(stats.records_read(), 3);
    }
}
