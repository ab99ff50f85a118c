//! Files written atomically (INTERFACE.md, "Output encoding"): each file is first written in
//! full under a temporary name in its own directory and flushed to disk, then renamed over its
//! final name. A failure while writing therefore leaves the previous files untouched, and a
//! reader never sees a half-written file.
//!
//! [`write_files`] writes a set of files (the vector suite, the plots of `demo --plots`): every
//! temporary file is written before the first rename, so a failure while writing leaves all the
//! previous files as they were. The last file of the set is renamed last (the vector suite puts
//! its `index.json` there).

use std::io::Write;
use std::path::{Path, PathBuf};

/// The temporary name of `path`: a hidden sibling ending in the process id.
fn temp_name(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    path.with_file_name(format!(".{name}.tmp-{}", std::process::id()))
}

/// Write `bytes` to a temporary sibling of `path` and flush it to disk; return the sibling.
fn write_temp(path: &Path, bytes: &[u8]) -> std::io::Result<PathBuf> {
    let tmp = temp_name(path);
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()
    })();
    match result {
        Ok(()) => Ok(tmp),
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(e)
        }
    }
}

/// Write one file atomically. On error, `path` is unchanged and no temporary file remains; the
/// error names the path that failed.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), (PathBuf, std::io::Error)> {
    write_files(&[(path.to_path_buf(), bytes.to_vec())])
}

/// Write several files: all temporary files first, then the renames in order. A failure while
/// writing leaves every previous file untouched and removes the temporary files.
pub fn write_files(files: &[(PathBuf, Vec<u8>)]) -> Result<(), (PathBuf, std::io::Error)> {
    // a directory in the way would fail a rename half-way: refuse before writing anything
    if let Some((path, _)) = files.iter().find(|(p, _)| p.is_dir()) {
        let e = std::io::Error::new(std::io::ErrorKind::IsADirectory, "a directory has this name");
        return Err((path.clone(), e));
    }
    let mut temps: Vec<(PathBuf, &Path)> = Vec::new();
    for (path, bytes) in files {
        match write_temp(path, bytes) {
            Ok(t) => temps.push((t, path)),
            Err(e) => {
                for (t, _) in &temps {
                    let _ = std::fs::remove_file(t);
                }
                return Err((path.clone(), e));
            }
        }
    }
    for (i, (tmp, path)) in temps.iter().enumerate() {
        if let Err(e) = std::fs::rename(tmp, path) {
            for (t, _) in &temps[i..] {
                let _ = std::fs::remove_file(t);
            }
            return Err((path.to_path_buf(), e));
        }
    }
    Ok(())
}
