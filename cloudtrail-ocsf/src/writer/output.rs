//! Where files go ([`Destination`]: a directory, or an object store such as S3), and how a finished
//! file is put there without ever replacing one: [`place`].
//!
//! - **Directory.** The file is encoded into `.<name>.tmp`, opened with `create_new` (so a planted file
//!   or symlink under that name is an error, never followed), synced, then hard-linked to its final
//!   name, which fails if that name exists, and the temporary name removed. On a file system without
//!   hard links the final name is checked and the file renamed: not atomic against a concurrent writer
//!   of the same name, which the per-run token in the names rules out for this crate's writers.
//! - **Object store.** The file is encoded in memory (at most [`super::WriterOptions::max_file_bytes`]
//!   of rows, compressed), then uploaded: under 8 MiB with one conditional PUT (`If-None-Match: *`),
//!   which fails if the key exists; above, as a multipart upload, which S3 shows only once it is
//!   complete, after a check that the key is absent (names carry a per-run token, so only another
//!   program could race it).

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use super::WriteError;

/// Where a writer puts its files.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Destination {
    /// A local directory (created when missing).
    Directory(PathBuf),
    /// A prefix in an object store (feature `s3`).
    #[cfg(feature = "s3")]
    ObjectStore(super::store::StorePrefix),
}

impl Destination {
    /// The file `dir/name` as a path (local) or URL (`s3://bucket/prefix/dir/name`), for messages and
    /// [`super::WriterStats`].
    pub fn location(&self, dir: &str, name: &str) -> PathBuf {
        match self {
            Destination::Directory(root) => root.join(dir).join(name),
            #[cfg(feature = "s3")]
            Destination::ObjectStore(prefix) => PathBuf::from(prefix.url(&format!("{dir}/{name}"))),
        }
    }

    /// The local directory, when the destination is one.
    pub fn directory(&self) -> Option<&Path> {
        match self {
            Destination::Directory(root) => Some(root),
            #[cfg(feature = "s3")]
            Destination::ObjectStore(_) => None,
        }
    }
}

/// The sink an encoder writes one file into.
pub(crate) type Encode<'a> =
    dyn FnMut(&mut (dyn Write + Send), &Path) -> Result<(), WriteError> + 'a;

/// Encodes a file through `encode` and puts it at `dir/name` under `destination`, never replacing an
/// existing file and never leaving a partial file under the final name. Returns its size in bytes.
pub(crate) fn place(
    destination: &Destination,
    dir: &str,
    name: &str,
    sync: bool,
    encode: &mut Encode<'_>,
) -> Result<u64, WriteError> {
    match destination {
        Destination::Directory(root) => place_in_directory(&root.join(dir), name, sync, encode),
        #[cfg(feature = "s3")]
        Destination::ObjectStore(prefix) => {
            let location = destination.location(dir, name);
            let mut data = Vec::new();
            encode(&mut data, &location)?;
            let size = data.len() as u64;
            prefix.put_new(&format!("{dir}/{name}"), data, &location)?;
            Ok(size)
        }
    }
}

fn place_in_directory(
    dir: &Path,
    name: &str,
    sync: bool,
    encode: &mut Encode<'_>,
) -> Result<u64, WriteError> {
    fs::create_dir_all(dir).map_err(io(dir))?;
    let path = dir.join(name);
    let temporary = dir.join(format!(".{name}.tmp"));
    // `create_new` is O_CREAT|O_EXCL: it fails on any existing entry, a symlink included, and so never
    // writes through one.
    let file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&temporary)
        .map_err(io(&temporary))?;
    let result = write_and_link(file, &temporary, &path, sync, encode);
    // The temporary name goes whatever happened (it is a second link when all went well). Best effort:
    // an error about the write matters more than one about the clean-up.
    let _ = fs::remove_file(&temporary);
    result
}

fn write_and_link(
    file: File,
    temporary: &Path,
    path: &Path,
    sync: bool,
    encode: &mut Encode<'_>,
) -> Result<u64, WriteError> {
    let mut buffered = BufWriter::with_capacity(1 << 20, file);
    encode(&mut buffered, temporary)?;
    let file = buffered.into_inner().map_err(|error| WriteError::Io {
        path: temporary.to_owned(),
        source: error.into_error(),
    })?;
    if sync {
        file.sync_all().map_err(io(temporary))?;
    }
    let size = file.metadata().map(|m| m.len()).map_err(io(temporary))?;
    drop(file);
    link_no_replace(temporary, path).map_err(io(path))?;
    Ok(size)
}

/// Turns an I/O error about `path` into a [`WriteError`].
fn io(path: &Path) -> impl FnOnce(io::Error) -> WriteError + use<> {
    let path = path.to_owned();
    move |source| WriteError::Io { path, source }
}

/// Gives `from` the name `to`, failing with `AlreadyExists` if `to` exists.
fn link_no_replace(from: &Path, to: &Path) -> io::Result<()> {
    match fs::hard_link(from, to) {
        Ok(()) => Ok(()),
        Err(error) if error.kind() == io::ErrorKind::AlreadyExists => Err(error),
        // No hard links here (some network and FAT file systems): check, then rename.
        Err(_) => {
            if fs::symlink_metadata(to).is_ok() {
                return Err(io::Error::new(
                    io::ErrorKind::AlreadyExists,
                    "a file with this name exists and is never replaced",
                ));
            }
            fs::rename(from, to)
        }
    }
}

/// A token that differs between runs and processes, for file names: a random 64-bit value from the
/// standard library's per-process hash seed, mixed with the clock and the process id.
pub(crate) fn run_token() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    hasher.write_u128(nanos);
    hasher.write_u32(std::process::id());
    format!("{:016x}", hasher.finish())
}
